// compile_diagnostics: what the compile tools share (tsa's clang -Wthread-safety, tidy's clang-tidy).
// Both print clang's diagnostic lines; a tool decides which of them are its findings, and a variant's
// declared `warnings` must match those findings both ways.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <filesystem>

#include "core/catalog.hpp"
#include "judge/verdict.hpp"
#include "run/spawn.hpp"
#include "tools/case_run.hpp"

namespace conclab::compile {

// One line of clang's output: `file:line:col: warning|error: message [flags]`.
struct Diagnostic {
  std::string file;
  int line = 0, column = 0;
  std::string severity;  // "warning" | "error"
  std::string message;
  // What the bracket at the end names: "-Wthread-safety-analysis", "-Werror,-Wthread-safety-analysis",
  // a clang-tidy check ("concurrency-mt-unsafe", "clang-diagnostic-error"); may be empty.
  std::string flags;
};

// Every warning and error line of clang's output; notes, source excerpts, carets and anything
// else (garbage included) are skipped.
std::vector<Diagnostic> parse(std::string_view clang_output);

// How one compile tool reads clang's lines.
struct Reading {
  std::string_view tool;     // the findings' tool, e.g. "tsa"
  std::string_view program;  // what the messages call the compiler, e.g. "clang"
  Outcome warning;           // the outcome of a finding
  bool (*is_finding)(const Diagnostic& d);
  // The summary ends with the name at the diagnostic's column in the source and the check's name,
  // `buggy.cpp:19: function is not thread safe: std::localtime [concurrency-mt-unsafe]`: for a
  // linter whose messages do not say what they point at.
  bool names_what_and_check = false;
};

// The compile as findings: one `warning` finding per diagnostic `is_finding` accepts (summary
// `file:line: message`); another error is exit_nonzero (its first error as the summary), a killed
// compile crash/timeout.
Judgement classify(const RunResult& run, const Reading& reading);

// The outcome must be the declared one and, for `warning`, the findings and the declared warnings
// must match both ways: each declared text is part of some finding, and each finding contains some
// declared text (an undeclared warning fails like a missing one).
Check judge(const Judgement& judgement, const Expectation& expected, Outcome warning);

struct Source {
  std::filesystem::path source_dir;  // the project's root, for fixtures/include
  std::filesystem::path file;        // <variant>.cpp of the case
};
// Where a variant's source is; a HarnessError naming `tool` when it does not exist.
Source source_of(const Case& c, const std::string& variant, std::string_view tool);

// Runs the compile `argv` (a helper of the harness: no hang detection, no leftovers tracked, a
// compile's time limit) and judges it.
CaseRun run(std::vector<std::string> argv, const Expectation& expected, Classifier classifier, Judge judge_with);

}  // namespace conclab::compile
