#include "tools/registry.hpp"

#include <algorithm>
#include <array>

#include "core/build_info.hpp"
#include "tools/stress.hpp"
#include "tools/tidy_tool.hpp"
#include "tools/tsa_tool.hpp"
#include "tools/valgrind_tool.hpp"

namespace conclab::tools {
namespace {

// One row per tool; the order is the detector matrix's column order.
constexpr Tool kTools[] = {
    {"release", "release", true, false, std::nullopt, run_case, "the program as built, no detector"},
    {"tsan", "tsan", true, false, std::nullopt, run_case, "ThreadSanitizer (g++ -fsanitize=thread)"},
    {"asan", "asan", true, false, std::nullopt, run_case, "AddressSanitizer with UBSan and LeakSanitizer"},
    {"tsa", "release", false, false, Outcome::thread_safety_warning,
     [](const Catalog&, const Case& c, const std::string& variant, const Expectation& e) {
       return tsa::run_case(c, variant, e);
     },
     "clang 14's -Wthread-safety on the case's source (a compile: tsa_tool.hpp)", tsa::unavailable, "tsa"},
    {"tidy", "release", false, false, Outcome::lint_warning,
     [](const Catalog&, const Case& c, const std::string& variant, const Expectation& e) {
       return tidy::run_case(c, variant, e);
     },
     "clang-tidy 19's concurrency checks on the case's source (a compile: tidy_tool.hpp)", tidy::unavailable, "tidy"},
    {"helgrind", "release", false, false, std::nullopt,
     [](const Catalog& catalog, const Case& c, const std::string& variant, const Expectation& e) {
       return valgrind::run_case(catalog, c, variant, "helgrind", e);
     },
     "Valgrind's Helgrind on the release binary", valgrind::unavailable, "valgrind;helgrind"},
    {"drd", "release", false, false, std::nullopt,
     [](const Catalog& catalog, const Case& c, const std::string& variant, const Expectation& e) {
       return valgrind::run_case(catalog, c, variant, "drd", e);
     },
     "Valgrind's DRD on the release binary", valgrind::unavailable, "valgrind;drd"},
    {"stress", "release", false, true, std::nullopt, stress::run_search,
     "seeded PCT schedules at the case's gates, a seed search per cell (docs/stress.md)", nullptr, "stress", 120},
};

constexpr auto kNames = [] {
  std::array<ToolName, std::size(kTools)> names{};
  for (std::size_t i = 0; i < names.size(); ++i)
    names[i] = {kTools[i].name, kTools[i].required, kTools[i].searches_seeds, kTools[i].compile_warning};
  return names;
}();

}  // namespace

std::span<const Tool> all() { return kTools; }

const Tool* find(std::string_view name) {
  const auto* it = std::find_if(std::begin(kTools), std::end(kTools), [&](const Tool& t) { return t.name == name; });
  return it == std::end(kTools) ? nullptr : it;
}

std::vector<const Tool*> of_tree(std::string_view tree) {
  std::vector<const Tool*> tools;
  for (const auto& t : kTools)
    if (t.tree == tree) tools.push_back(&t);
  // The tree's own tool first: it is the one `tour` and `check` run by default.
  std::stable_partition(tools.begin(), tools.end(), [&](const Tool* t) { return t->name == tree; });
  return tools;
}

std::vector<std::string_view> required() {
  std::vector<std::string_view> out;
  for (const auto& t : kTools)
    if (t.required) out.push_back(t.name);
  return out;
}

ToolNames names() { return kNames; }

nlohmann::json to_json(const Catalog& catalog) {
  const auto cases = catalog.all();
  auto out = nlohmann::json::array();
  for (const auto& t : kTools) {
    auto declaring = nlohmann::json::array();
    for (const auto& c : cases)
      if (c.manifest.declares(t.name)) declaring.push_back(c.id);
    const auto missing = t.unavailable != nullptr ? t.unavailable() : std::nullopt;
    out.push_back({{"name", t.name},
                   {"tree", t.tree},
                   {"required", t.required},
                   {"searches_seeds", t.searches_seeds},
                   {"compiles", t.compile_warning.has_value()},
                   {"what", t.what},
                   {"unavailable", missing ? nlohmann::json(*missing) : nlohmann::json()},
                   {"test", {{"labels", t.test_labels}, {"timeout_s", t.test_timeout_s}}},
                   {"cases", declaring}});
  }
  return out;
}

Catalog this_build_catalog() {
  return Catalog(build_info::kSourceDir, build_info::kBuildDir, build_info::kTool, names());
}

}  // namespace conclab::tools
