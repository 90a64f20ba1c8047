#include "render.hpp"

#include <fmt/format.h>

#include <sstream>

namespace conclab::cli {
namespace {

constexpr std::size_t kFindingsShown = 5;

void print_stream_note(std::FILE* out, const char* name, const Capture& c) {
  if (c.truncated)
    fmt::print(out, "  note: {} wrote {} bytes; conclab kept {} (the start and the end)\n", name, c.total_bytes,
               c.text.size());
}

}  // namespace

std::string describe_exit(const RunResult& run) {
  std::string how;
  if (run.interrupted_by) how = "stopped: conclab got " + signal_name(*run.interrupted_by);
  else if (run.hang) how = "stuck; ended by conclab";
  else if (run.timed_out) how = "ended at the time limit";
  else if (run.signal) how = "killed by " + signal_name(*run.signal);
  else if (run.exit_code) how = fmt::format("exit {}", *run.exit_code);
  return fmt::format("{}, {:.2f} s", how, run.duration_s);
}

void print_verdict(std::FILE* out, const RunResult& run, const Judgement& judgement) {
  fmt::print(out, "outcome: {}  ({})\n", to_string(judgement.outcome), describe_exit(run));
  std::size_t shown = 0;
  for (const auto& f : judgement.findings) {
    if (shown++ == kFindingsShown) {
      fmt::print(out, "  ... and {} more findings (--json has them all)\n", judgement.findings.size() - kFindingsShown);
      break;
    }
    fmt::print(out, "  [{}] {}: {}\n", f.tool, to_string(f.kind), f.summary);
    for (const auto& frame : own_frames(f.frames)) {
      if (frame.line > 0) fmt::print(out, "      at {}  {}:{}\n", frame.function, frame.file, frame.line);
      else fmt::print(out, "      at {}  {}\n", frame.function, frame.file);
    }
  }
  if (run.hang) {
    fmt::print(out, "  {} after {:.2f} s without progress; the wait-for graph:\n", to_string(run.hang->kind),
               run.hang->stuck_for_s);
    std::istringstream lines(describe(*run.hang));
    for (std::string line; std::getline(lines, line);) fmt::print(out, "    {}\n", line);
  }
  if (!run.hang && !run.stuck.empty()) {
    fmt::print(out, "  {} thread(s) blocked in the same wait through the last hang window, no cycle among them:\n",
               run.stuck.size());
    HangReport stuck{Outcome::hang, run.stuck, 0};
    std::istringstream lines(describe(stuck));
    for (std::string line; std::getline(lines, line);) fmt::print(out, "    {}\n", line);
  }
  print_stream_note(out, "stdout", run.out);
  print_stream_note(out, "stderr", run.err);
}

}  // namespace conclab::cli
