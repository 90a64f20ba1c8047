// tsa_tool: clang 14's thread-safety analysis (-Wthread-safety) on a case's source, judged against
// what its manifest declares for the tool `tsa`.
//
// The analysis is compile-only: `clang++-14 -fsyntax-only` against libc++, whose std::mutex,
// std::lock_guard and std::scoped_lock are annotated capabilities once
// _LIBCPP_ENABLE_THREAD_SAFETY_ANNOTATIONS is defined (libstdc++'s are not). The case binaries
// the other tools run are untouched: the annotations of fixtures/include/conclab/annotations.hpp
// expand to nothing outside clang. A variant declared clean compiles with -Werror=thread-safety.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/case_run.hpp"
#include "tools/compile_diagnostics.hpp"
#include "core/catalog.hpp"
#include "run/spawn.hpp"
#include "judge/verdict.hpp"

namespace conclab::tsa {

inline constexpr std::string_view kTool = "tsa";
inline constexpr std::string_view kCompiler = "clang++-14";
// A header of libc++ 14 that declares the annotated std::mutex; without it the analysis is blind.
inline constexpr std::string_view kLibcxxHeader = "/usr/lib/llvm-14/include/c++/v1/__mutex_base";

using compile::Diagnostic;

// A diagnostic of the analysis (its flags name -Wthread-safety...), not another warning or error.
bool is_thread_safety(const Diagnostic& d);

// Every warning and error line of clang's output; notes, source excerpts, carets and anything
// else (garbage included) are skipped.
std::vector<Diagnostic> parse(std::string_view clang_output);

// Why the analysis cannot run on this machine (clang++-14 or libc++ 14's headers missing), or nullopt.
std::optional<std::string> unavailable();

// The compile-only command line for one source file; fixtures/include is found from the source tree.
// `werror` turns thread-safety warnings into errors (a variant declared clean); `extra` comes last.
std::vector<std::string> command(const std::filesystem::path& source_dir, const std::filesystem::path& file,
                                 bool werror, const std::vector<std::string>& extra = {});

// clang's run as findings: one thread_safety_warning per thread-safety diagnostic; a compile that
// failed for another reason is exit_nonzero (its first error as the summary), killed is crash/timeout.
Judgement classify(const RunResult& run);

// The outcome must be the declared one and, for thread_safety_warning, the diagnostics and the
// declared warnings must match both ways: each declared text is part of some diagnostic, and each
// diagnostic contains some declared text (an undeclared warning fails like a missing one).
Check judge(const Judgement& judgement, const Expectation& expected);

// Compiles one variant of a case (`<variant>.cpp`) with the analysis and judges it against
// `expected`, whose `args` are extra clang arguments. Throws HarnessError when unavailable().
CaseRun run_case(const Case& c, const std::string& variant, const Expectation& expected);

}  // namespace conclab::tsa
