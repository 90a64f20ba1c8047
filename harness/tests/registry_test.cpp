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
  EXPECT_EQ(tools::find("tsa")->compile_warning, Outcome::thread_safety_warning);
  ASSERT_NE(tools::find("tidy"), nullptr);
  EXPECT_EQ(tools::find("tidy")->compile_warning, Outcome::lint_warning);
}

TEST(Registry, TheManifestKnowsExactlyTheRegistrysTools) {
  const auto names = tools::names();
  ASSERT_EQ(names.size(), tools::all().size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(names[i].name, tools::all()[i].name);
    EXPECT_EQ(names[i].required, tools::all()[i].required);
    EXPECT_EQ(names[i].searches_seeds, tools::all()[i].searches_seeds);
    EXPECT_EQ(names[i].compile_warning, tools::all()[i].compile_warning);
  }
  const std::string variant = "release = \"clean\"\ntsan = \"clean\"\nasan = \"clean\"\n";
  const std::string good = "title = \"t\"\n[buggy]\n" + variant + "[fixed]\n" + variant;
  EXPECT_NO_THROW(parse_manifest(good + "drd = \"clean\"\n", "m.toml", names));
  try {
    parse_manifest(good + "valgrind = \"clean\"\n", "m.toml", names);
    ADD_FAILURE() << "a tool outside the registry was accepted";
  } catch (const ManifestError& e) {
    EXPECT_NE(std::string(e.what()).find("tools: release, tsan, asan, tsa, tidy, helgrind, drd, stress"), std::string::npos)
        << e.what();
  }
}

// What ctest's registration (harness/tests/tool_tests.cmake) reads: each tool's cases, labels,
// time limit and whether it can run here.
TEST(Registry, JsonHasEveryRowAndTheCasesDeclaringIt) {
  const auto catalog = tools::this_build_catalog();
  const auto json = tools::to_json(catalog);
  ASSERT_EQ(json.size(), tools::all().size());
  EXPECT_EQ(json[0]["name"], "release");
  EXPECT_EQ(json[0]["tree"], "release");
  EXPECT_TRUE(json[0]["required"].get<bool>());
  EXPECT_EQ(json[0]["cases"].size(), catalog.all().size());  // every manifest declares a required tool
  for (const auto& row : json) {
    const auto* tool = tools::find(row["name"].get<std::string>());
    ASSERT_NE(tool, nullptr);
    EXPECT_TRUE(row["unavailable"].is_null() || row["unavailable"].is_string());
    EXPECT_GT(row["test"]["timeout_s"].get<int>(), 0);
    for (const auto& id : row["cases"]) EXPECT_TRUE(catalog.find(id.get<std::string>()).manifest.declares(tool->name));
  }
  const auto stress = std::find_if(json.begin(), json.end(), [](const auto& row) { return row["name"] == "stress"; });
  ASSERT_NE(stress, json.end());
  EXPECT_TRUE((*stress)["unavailable"].is_null());
  EXPECT_EQ((*stress)["test"]["labels"], "stress");
}

}  // namespace
}  // namespace conclab
