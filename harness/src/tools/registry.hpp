// registry: conclab's detector tools, one row each, and the only list of them. The manifest's
// vocabulary, `conclab matrix`, `check --tool`, `conclab tools --json` (read by ctest's registration
// and ci/matrix_report.py) all come from it. Adding a tool: docs/design.md, "Adding a tool".
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/catalog.hpp"
#include "tools/case_run.hpp"

namespace conclab::tools {

// The one function a tool provides: run one variant of a case and judge it against `expected`.
using RunOne = CaseRun (*)(const Catalog& catalog, const Case& c, const std::string& variant,
                           const Expectation& expected);

struct Tool {
  std::string_view name;
  std::string_view tree;  // the build tree whose conclab runs it: "release", "tsan" or "asan"
  bool required;          // every manifest declares it (a tree's own tool); others are n.a. when absent
  // A cell of stress is a seed search, not a run (docs/stress.md): a buggy variant's symptom is a
  // catch (the gates no longer forced it), and without a gate there is nothing to perturb ("no gate").
  bool searches_seeds;
  // A compile, not a run (tsa, tidy): its outcome is clean or this warning (core/manifest.hpp); the
  // case's program arguments do not apply, nor its run time.
  std::optional<Outcome> compile_warning;
  RunOne run;
  std::string_view what;  // one line for `conclab tools`
  // Why the tool cannot run on this machine (a program not installed), or nullopt; nullptr: it always can.
  std::optional<std::string> (*unavailable)() = nullptr;
  // ctest: every case declaring the tool is a test `<tool>.<category>.<bug>` of the tool's tree
  // (harness/tests/tool_tests.cmake), with these labels (;-separated) and time limit.
  std::string_view test_labels = "";
  int test_timeout_s = 600;
};

std::span<const Tool> all();
// nullptr: no such tool.
const Tool* find(std::string_view name);
// The tools the conclab of `tree` runs, in the registry's order.
std::vector<const Tool*> of_tree(std::string_view tree);
// The tools every manifest declares: each build tree's own (release, tsan, asan), in order.
std::vector<std::string_view> required();
// What a manifest may declare and must declare.
ToolNames names();
// Every row, for `conclab tools --json`, with whether it can run here and, for `catalog`, the cases
// that declare it (what ctest registers).
nlohmann::json to_json(const Catalog& catalog);

// The catalog of the build this conclab belongs to, with the registry's tool names.
Catalog this_build_catalog();

}  // namespace conclab::tools
