// The outcome vocabulary of conclab and the findings that lead to an outcome.
// The names are a public contract (JSON reports, manifests): never rename one.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {

enum class Outcome {
  clean,
  deadlock,
  ipc_deadlock,
  hang,
  heap_use_after_free,
  double_free,
  heap_buffer_overflow,
  stack_buffer_overflow,
  global_buffer_overflow,
  stack_use_after_return,
  stack_use_after_scope,
  memory_error,  // any other AddressSanitizer error
  data_race,
  lock_order_inversion,
  mutex_misuse,
  signal_unsafe_call,
  thread_safety_warning,  // clang's -Wthread-safety flagged the source (tool tsa, compile time)
  lint_warning,           // a linter's concurrency check flagged the source (tool tidy, compile time)
  loop_stall,             // an event-loop handler ran past the limit while others waited (Asio's handler tracking)
  undefined_behavior,
  crash,
  timeout,
  thread_leak,
  memory_leak,
  orphan_process,  // a process of the run still running after the program ended by itself
  ipc_leak,        // a /dev/shm object or a file in the run's temp folder left after the run
  wrong_result,
  exit_nonzero,
  tool_error,  // the detector could not run the program as written (valgrind: unhandled syscall, failed exec)
};

std::string_view to_string(Outcome outcome);
std::optional<Outcome> outcome_from_string(std::string_view name);
std::span<const Outcome> all_outcomes();

// Higher wins when one run yields several findings; see docs/outcomes.md for the why.
int priority(Outcome outcome);

struct Frame {
  std::string function;
  std::string file;  // empty when the tool could not symbolize it
  int line = 0;      // 0 when unknown
  std::string module;  // binary or shared library, e.g. "libstdc++.so.6"; may be empty
};

// One stack of a report, with what the tool said it is.
struct Stack {
  // "access" (the report's own access or error), "previous_access" (TSan: the other side of a
  // race), "allocation", "free", "mutex_acquired", "mutex_created", "thread_created" or "other".
  std::string role;
  std::string title;  // the tool's line before the stack, e.g. "Previous write of size 4 at 0x... by thread T2:"
  // For an access: "read", "write", "atomic write"...; its size in bytes; the thread ("T2",
  // "main thread"); TSan's mutexes held ("write M0"). Empty/0 when the title does not say.
  std::string access;
  int size = 0;
  std::string thread;
  std::vector<std::string> mutexes;
  std::vector<Frame> frames;  // innermost first
};

struct Finding {
  Outcome kind = Outcome::clean;
  std::string tool;     // "tsan" | "asan" | "ubsan" | "lsan" | "watchdog" | "program"
  std::string summary;  // one line, e.g. "data race cases/data_race/lost_update/buggy.cpp:21 in bump"
  std::vector<Frame> frames;  // the first stack, innermost first, as the tool printed it
  std::optional<int> signal;  // fatal signal the tool reported (e.g. SIGSEGV caught by a sanitizer)
  // The members below have initializers so that the many {kind, tool, summary, frames, signal}
  // aggregates stay complete (-Wmissing-field-initializers).
  std::vector<Stack> stacks{};  // every stack the tool printed, in its order (stacks[0].frames == frames)
  std::string location{};     // what the memory is: "heap block of size 48", "global 'counter' of size 4"
  // Grouping (findings_group.hpp): reports of the same kind at the same source lines are one finding.
  int count = 1;                    // reports it stands for
  std::vector<std::string> paths{};  // their distinct call paths through the program's own code
  std::string fingerprint{};        // stable across runs: no address, thread id or report order in it
  bool known = false;               // in the --baseline report: does not make the outcome
  bool suppressed = false;          // matched by a --suppress line: does not make the outcome
};

// The frames a person should look at first: those in the program's own code,
// skipping the C++ library, libc, the sanitizer runtimes and unsymbolized frames.
std::vector<Frame> own_frames(const std::vector<Frame>& frames, std::size_t at_most = 3);

// "SIGSEGV" for 11, "SIG42" for signals without a name.
std::string signal_name(int signo);

}  // namespace conclab
