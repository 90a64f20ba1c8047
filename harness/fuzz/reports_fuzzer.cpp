// Fuzz target: a run's stderr and stdout as the judge reads them — the TSan, ASan, LSan and UBSan
// report parser, the CONCLAB_WRONG_RESULT markers, the verdict and the JSON report made of them,
// and the workshop's trimmed report (judge/report_trim).
// Beyond "no crash, leak, UB or time-out", it checks the promise of reports.cpp: every string of a
// finding is valid UTF-8 without control characters, and a summary is one line of bounded length;
// every stack of a finding has frames and a printable title, and the first one is its `frames`.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "report/json_report.hpp"
#include "judge/report_trim.hpp"
#include "judge/reports.hpp"
#include "tools/tsa_tool.hpp"
#include "judge/verdict.hpp"

using conclab::fuzz::printable;
using conclab::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  conclab::RunResult run;
  run.exit_code = 1;
  run.err.text = text;
  run.out.text = text.substr(0, text.size() / 2);  // the markers are read from both streams
  const conclab::Judgement judgement = conclab::classify(run);
  for (const auto& finding : judgement.findings) {
    require(printable(finding.summary), "a summary has no control character");
    require(finding.summary.size() <= 1003, "a summary is at most 1000 bytes and '...'");
    for (const auto& frame : finding.frames) {
      require(printable(frame.function) && printable(frame.file) && printable(frame.module),
              "a frame has no control character");
      require(frame.line >= 0, "a frame's line is not negative");
    }
    require(printable(finding.location) && printable(finding.fingerprint), "a location has no control character");
    require(finding.stacks.empty() || finding.stacks.front().frames.size() == finding.frames.size(),
            "frames is the first stack");
    for (const auto& stack : finding.stacks) {
      require(printable(stack.title) && printable(stack.access) && printable(stack.thread) && !stack.frames.empty(),
              "a stack has frames and a printable title");
      for (const auto& mutex : stack.mutexes) require(printable(mutex), "a mutex name has no control character");
    }
    require(finding.count >= 1, "a finding stands for at least one report");
  }
  conclab::judge(judgement, {judgement.outcome, "main", {}, {}, {}});
  // The compile tools' reading of clang's lines (tools/compile_diagnostics), on the same text.
  for (const auto& d : conclab::compile::parse(text))
    require(d.line >= 0 && d.column >= 0 && !d.file.empty(), "a diagnostic has a location");
  const auto compiled = conclab::tsa::classify(run);
  for (const auto& finding : compiled.findings) {
    require(printable(finding.summary) && finding.summary.size() <= 1003, "a diagnostic's summary is one printable line");
    for (const auto& frame : finding.frames) require(printable(frame.file), "a diagnostic's file is printable");
  }
  conclab::tsa::judge(compiled, {compiled.outcome, "", {}, {}, {}});
  // The default error handler throws on invalid UTF-8, and an uncaught exception is a crash.
  const std::string json = conclab::to_json(run, judgement).dump();
  require(!json.empty(), "the report is JSON");
  // The workshop's cut of the same text (judge/report_trim): at most 40 lines and the "more" line.
  const auto trimmed = conclab::reports::trim_report(text, "lost_update.cpp", {"int a;", "  counter = seen + 1;"}, 40);
  std::size_t lines = 0;
  for (const char c : trimmed) lines += c == '\n';
  require(lines <= 41, "a trimmed report has at most max_lines lines and one saying how many more");
  return 0;
}
