// valgrind_tool: runs a case's release binary under Helgrind or DRD and judges it.
//
// Valgrind checks uninstrumented binaries, so it runs on the release tree's: one conclab of that
// tree judges release, helgrind and drd. The program runs as `valgrind --tool=T ... -- PROGRAM`,
// the same process (valgrind execs its tool in place), so process group, limits, orphans and
// leftovers work as for any run. Valgrind serializes the program's threads and is 20-100x slower:
// a run's time limit is scaled, and the hang window is longer (a blocked program's threads are
// valgrind's threads, each in the guest's futex or the scheduler's pipe; none makes progress).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/case_run.hpp"
#include "core/catalog.hpp"
#include "run/spawn.hpp"
#include "judge/verdict.hpp"

namespace conclab::valgrind {

// Valgrind's exit status when it reported an error (--error-exitcode); explained by its findings.
inline constexpr int kErrorExitCode = 97;
// A case's time limit under valgrind, unless its expectation for the tool sets its own.
inline constexpr double kTimeScale = 10;

bool is_tool(std::string_view tool);  // "helgrind" | "drd"
// Why valgrind cannot run here (not on PATH), or nullopt.
std::optional<std::string> unavailable();

// `valgrind --tool=<tool> --error-exitcode=97 --fullpath-after= ... -- argv...`. Throws
// HarnessError when valgrind is not installed.
std::vector<std::string> wrap(std::string_view tool, const std::vector<std::string>& argv);

// classify() plus valgrind's findings; valgrind's own exit status 97 is explained by them.
Judgement classify(const RunResult& run);

// One variant of a case under helgrind|drd, judged against `expected` (the manifest's by default).
// Throws ManifestError when the manifest declares nothing for the tool.
CaseRun run_case(const Catalog& catalog, const Case& c, const std::string& variant, std::string_view tool);
CaseRun run_case(const Catalog& catalog, const Case& c, const std::string& variant, std::string_view tool,
                 const Expectation& expected);

}  // namespace conclab::valgrind
