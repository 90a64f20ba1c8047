// spawn: runs one program in its own process group, captures both streams, and reports how it ended.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "hang/hang.hpp"
#include "run/interrupt.hpp"
#include "run/leftovers.hpp"
#include "run/limits.hpp"
#include "run/watch.hpp"

namespace conclab {

struct RunSpec {
  std::vector<std::string> argv;  // argv[0] is the program: a path, or a name looked up in PATH
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds grace{std::chrono::milliseconds(500)};  // SIGTERM -> SIGKILL
  std::size_t capture_limit = 16u << 20;           // bytes kept per stream
  std::map<std::string, std::string> env;          // set (or override) in the child's environment
  std::string working_dir;                         // empty: the harness's own
  std::optional<HangOptions> hang_detection = HangOptions{};  // nullopt: only the time limit ends a stuck run
  // Give the run its own id (CONCLAB_RUN_ID) and temp folder (TMPDIR), and report what it leaves
  // in them and in /dev/shm (leftovers.hpp). Off only for the harness's own helpers (eu-stack).
  bool track_leftovers = true;
  // After the program exited by itself, how long what it started may take to end on its own
  // before it counts as an orphan.
  std::chrono::milliseconds let_strays_finish{250};
  ChildLimits limits;  // CPU time, file size, processes, memory (limits.hpp)
  // An event-loop handler that runs longer than this while others wait is a loop_stall (read from
  // Asio's handler tracking on stderr, judge/asio_tracking.hpp); copied into the result for the judge.
  double loop_stall_ms = 100;
};

struct Capture {
  std::string text;             // what was kept; a marker line stands where bytes were cut
  std::uint64_t total_bytes = 0;  // everything the program wrote to the stream
  bool truncated = false;
};

struct RunResult {
  std::optional<int> exit_code;  // set when the program exited normally
  std::optional<int> signal;     // set when a signal killed it (from the native wait status)
  bool timed_out = false;        // the harness ended it at the time limit
  double duration_s = 0;
  Capture out, err;
  int strays_killed = 0;  // processes of its tree still alive after it ended, killed and reaped
  std::vector<Stray> orphans;       // those strays, when the program had ended by itself
  std::vector<Leftover> leftovers;  // IPC objects and temp files it left, removed since
  // The limit that ended or cut the run: "time" (the watchdog), "cpu" (SIGXCPU), "file_size"
  // (SIGXFSZ), "memory" (the cgroup's OOM kill) or "processes" (fork failed at pids.max); empty when none.
  std::string limit_hit;
  std::uint64_t cpu_limit_s = 0;  // the RLIMIT_CPU the run had
  double loop_stall_ms = 100;     // the spec's: the longest an event-loop handler may run (asio_tracking.hpp)
  std::string limits_applied;  // what the cgroup enforced, or why it could not
  std::optional<int> interrupted_by;  // the stop signal the harness received (interrupt.hpp); the run was ended
  std::vector<SignalFromRun> signalled_harness;  // signals the run's processes sent to conclab, ignored
  std::optional<HangReport> hang;     // the run was stuck for good; the harness ended it early
  // At the time limit or an interrupt, with no cycle found: the threads blocked in the same wait
  // through the last hang window, in the shape of a cycle's waits.
  std::vector<Wait> stuck;
};

// Runs spec.argv to completion or to its time limit. Never leaves a process or zombie behind.
// Throws HarnessError when the program cannot be started (one line naming the program and why).
RunResult run_program(const RunSpec& spec);

}  // namespace conclab
