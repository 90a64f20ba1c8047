#include "render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

namespace conclab::cli {
namespace {

constexpr std::size_t kFindingsShown = 5;

void print_stream_note(std::FILE* out, const char* name, const Capture& c) {
  if (c.truncated)
    fmt::print(out, "  note: {} wrote {} bytes; conclab kept {} (the start and the end)\n", name, c.total_bytes,
               c.text.size());
}

void print_frames(std::FILE* out, const std::vector<Frame>& frames, const char* indent) {
  for (const auto& frame : own_frames(frames)) {
    if (frame.line > 0) fmt::print(out, "{}at {}  {}:{}\n", indent, frame.function, frame.file, frame.line);
    else fmt::print(out, "{}at {}  {}\n", indent, frame.function, frame.file);
  }
}

// The stacks a person reads to fix the bug: both sides of a race, where the memory came and went,
// where each lock of a lock-order inversion was taken.
bool shows(const std::string& role) {
  return role == "access" || role == "previous_access" || role == "allocation" || role == "free" ||
         role == "mutex_acquired";
}

// "previous write of 4 bytes by thread T2 (mutexes held: write M0)", "freed by thread T0", ...
std::string stack_label(const Stack& stack) {
  if (stack.access.empty()) {
    if (stack.role == "allocation") return "allocated";
    if (stack.role == "free") return "freed";
    // TSan's lock-order lines say it best: "Mutex M1 acquired here while holding mutex M0 in thread T1".
    std::string title = stack.title;
    while (!title.empty() && title.back() == ':') title.pop_back();
    return title.empty() ? stack.role : title;
  }
  std::string label = fmt::format("{}{} of {} bytes", stack.role == "previous_access" ? "previous " : "", stack.access,
                                  stack.size);
  if (!stack.thread.empty()) label += " by " + (stack.thread.starts_with('T') ? "thread " + stack.thread : stack.thread);
  if (!stack.mutexes.empty()) {
    std::string held;
    for (const auto& m : stack.mutexes) held += (held.empty() ? "" : ", ") + m;
    label += " (mutexes held: " + held + ")";
  }
  return label;
}

}  // namespace

std::string describe_exit(const RunResult& run) {
  std::string how;
  if (run.interrupted_by) how = "stopped: conclab got " + signal_name(*run.interrupted_by);
  else if (run.hang) how = "stuck; ended by conclab";
  else if (run.timed_out) how = "ended at the time limit";
  else if (run.signal && (run.limit_hit == "cpu" || run.limit_hit == "file_size" || run.limit_hit == "memory"))
    how = fmt::format("killed by {} at {}", signal_name(*run.signal), limit_name(run.limit_hit));
  else if (run.signal) how = "killed by " + signal_name(*run.signal);
  else if (run.exit_code) how = fmt::format("exit {}", *run.exit_code);
  return fmt::format("{}, {:.2f} s", how, run.duration_s);
}

void print_verdict(std::FILE* out, const RunResult& run, const Judgement& judgement) {
  fmt::print(out, "outcome: {}  ({})\n", to_string(judgement.outcome), describe_exit(run));
  if (!judgement.cut_short.empty())
    fmt::print(out, "  NOT FINISHED: {}; what the program would have done next was not run or judged\n",
               judgement.cut_short);
  else if (!run.limit_hit.empty())
    fmt::print(out, "  limit reached: {} (the program still ended by itself)\n", limit_name(run.limit_hit));
  std::size_t shown = 0;
  for (const auto& f : judgement.findings) {
    if (shown++ == kFindingsShown) {
      fmt::print(out, "  ... and {} more findings (--json has them all)\n", judgement.findings.size() - kFindingsShown);
      break;
    }
    std::string times;
    if (f.count > 1) times = fmt::format(" x{} ({} call path{})", f.count, f.paths.size(), f.paths.size() == 1 ? "" : "s");
    fmt::print(out, "  [{}] {}{}{}: {}\n", f.tool, to_string(f.kind), times, f.known ? " (known: in the baseline)" : f.suppressed ? " (suppressed)" : "",
               f.summary);
    if (!f.location.empty()) fmt::print(out, "      memory: {}\n", f.location);
    if (f.stacks.size() < 2 ||
        std::none_of(f.stacks.begin(), f.stacks.end(), [](const Stack& stack) { return shows(stack.role); })) {
      print_frames(out, f.frames, "      ");
      continue;
    }
    for (const auto& stack : f.stacks) {
      if (!shows(stack.role)) continue;
      fmt::print(out, "      {}:\n", stack_label(stack));
      print_frames(out, stack.frames, "        ");
    }
  }
  if (run.hang) {
    fmt::print(out, "  {} after {:.2f} s without progress; the wait-for graph:\n", to_string(run.hang->kind),
               run.hang->stuck_for_s);
    std::istringstream lines(describe(*run.hang));
    for (std::string line; std::getline(lines, line);) fmt::print(out, "    {}\n", line);
  }
  for (const auto& s : run.signalled_harness)
    fmt::print(out, "  note: process {} of the run sent {} to conclab; ignored (a program cannot stop its judge)\n",
               s.sender, signal_name(s.signo));
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
