// The tool registry (tools/registry.hpp): one row per tool, and what the rest of conclab reads from it.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "core/manifest.hpp"
#include "tools/registry.hpp"

namespace conclab {
namespace {

TEST(Registry, EveryTreeIsARequiredToolAndNamesAreUnique) {
  std::set<std::string_view> names, trees;
  for (const auto& t : tools::all()) {
    EXPECT_TRUE(names.insert(t.name).second) << t.name << " twice";
    trees.insert(t.tree);
    EXPECT_NE(t.run, nullptr) << t.name;
    EXPECT_FALSE(t.what.empty()) << t.name;
  }
  const auto required = tools::required();
  EXPECT_EQ(std::set<std::string_view>(required.begin(), required.end()), trees);
  EXPECT_EQ(required, (std::vector<std::string_view>{"release", "tsan", "asan"}));
}

TEST(Registry, EachTreeRunsItsOwnToolFirst) {
  const auto release = tools::of_tree("release");
  ASSERT_FALSE(release.empty());
  EXPECT_EQ(release.front()->name, "release");
  EXPECT_TRUE(std::any_of(release.begin(), release.end(), [](const tools::Tool* t) { return t->searches_seeds; }));
  const auto tsan = tools::of_tree("tsan");
  ASSERT_EQ(tsan.size(), 1u);
  EXPECT_EQ(tsan.front()->name, "tsan");
  EXPECT_TRUE(tools::of_tree("no_such_tree").empty());
  EXPECT_EQ(tools::find("nope"), nullptr);
  ASSERT_NE(tools::find("tsa"), nullptr);
  EXPECT_TRUE(tools::find("tsa")->compiles);
}

TEST(Registry, TheManifestKnowsExactlyTheRegistrysTools) {
  const auto names = tools::names();
  ASSERT_EQ(names.size(), tools::all().size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(names[i].name, tools::all()[i].name);
    EXPECT_EQ(names[i].required, tools::all()[i].required);
  }
  const std::string variant = "release = \"clean\"\ntsan = \"clean\"\nasan = \"clean\"\n";
  const std::string good = "title = \"t\"\n[buggy]\n" + variant + "[fixed]\n" + variant;
  EXPECT_NO_THROW(parse_manifest(good + "drd = \"clean\"\n", "m.toml", names));
  try {
    parse_manifest(good + "valgrind = \"clean\"\n", "m.toml", names);
    ADD_FAILURE() << "a tool outside the registry was accepted";
  } catch (const ManifestError& e) {
    EXPECT_NE(std::string(e.what()).find("tools: release, tsan, asan, tsa, helgrind, drd, stress"), std::string::npos)
        << e.what();
  }
}

TEST(Registry, JsonHasEveryRow) {
  const auto json = tools::to_json();
  ASSERT_EQ(json.size(), tools::all().size());
  EXPECT_EQ(json[0]["name"], "release");
  EXPECT_EQ(json[0]["tree"], "release");
  EXPECT_TRUE(json[0]["required"].get<bool>());
}

}  // namespace
}  // namespace conclab
