// tidy_tool: clang-tidy 19's concurrency checks on a case's source, judged against what its manifest
// declares for the tool `tidy` (outcome clean or lint_warning, with the warnings it expects).
//
// A compile, like tsa, but against libstdc++ as the case is built, and with clang-tidy's checks for
// what goes wrong between threads, processes and coroutines (kChecks). Each finding's summary names
// what the check points at and the check: `buggy.cpp:19: function is not thread safe:
// std::localtime [concurrency-mt-unsafe]`. A .clang-tidy file near the case is ignored: the checks
// are these, everywhere.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalog.hpp"
#include "tools/case_run.hpp"
#include "tools/compile_diagnostics.hpp"

namespace conclab::tidy {

inline constexpr std::string_view kTool = "tidy";
inline constexpr std::string_view kProgram = "clang-tidy-19";
inline constexpr std::string_view kChecks =
    "-*,concurrency-*,bugprone-spuriously-wake-up-functions,bugprone-signal-handler,android-cloexec-*,"
    "misc-coroutine-hostile-raii,cppcoreguidelines-avoid-reference-coroutine-parameters,"
    "cppcoreguidelines-avoid-capturing-lambda-coroutines";

// A finding of one of kChecks: a bracket naming a check, not a compiler warning (-W...) or error.
bool is_check(const compile::Diagnostic& d);

// Why clang-tidy cannot run here (clang-tidy-19 not on PATH), or nullopt.
std::optional<std::string> unavailable();

// The command line for one source file; fixtures/include is found from the source tree, `extra`
// (the declaration's args) goes to the compiler.
std::vector<std::string> command(const std::filesystem::path& source_dir, const std::filesystem::path& file,
                                 const std::vector<std::string>& extra = {});

Judgement classify(const RunResult& run);
Check judge(const Judgement& judgement, const Expectation& expected);

// Lints one variant of a case (`<variant>.cpp`) and judges it against `expected`. Throws
// HarnessError when unavailable().
CaseRun run_case(const Case& c, const std::string& variant, const Expectation& expected);

}  // namespace conclab::tidy
