// hang: notices that a process tree has stopped for good — no thread made CPU progress for a window
// and every thread waits on something — and explains it as a wait-for graph over threads and
// processes: a cycle in one process is a deadlock, a cycle across processes an ipc_deadlock, and
// everyone blocked without a cycle a hang.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "outcome.hpp"
#include "procfs.hpp"

namespace conclab {

struct HangOptions {
  std::chrono::milliseconds interval{50};  // how often the tree is sampled
  std::chrono::milliseconds window{400};   // how long everything must stay still
};

struct ThreadRef {
  pid_t pid = 0, tid = 0;
  auto operator<=>(const ThreadRef&) const = default;
};

// One blocked thread and what it waits for.
struct Wait {
  ThreadRef thread;
  std::string name;       // the thread's name (comm)
  std::string waits_for;  // mutex|thread_join|futex|pipe_read|pipe_write|socket_read|socket_write|
                          // child_exit|fifo_open|signal|poll|semaphore|accept|...
  std::string object;     // "mutex 0x5581...", "pipe:[4711]", "pid 42"...
  std::vector<ThreadRef> wakers;  // the threads that could end the wait (empty: nobody can)
  std::optional<ThreadRef> held_by;  // for a mutex: its owner
  std::vector<Frame> frames;
};

struct HangReport {
  Outcome kind = Outcome::hang;  // deadlock, ipc_deadlock or hang
  std::vector<Wait> cycle;       // the cycle in order; for a hang, every blocked thread
  double stuck_for_s = 0;        // how long the tree had been still when it was explained
};

// How one thread waits, from its syscall and arguments; nullopt when it is not blocked for good
// (running, sleeping, or in a wait with a timeout: it will wake by itself).
std::optional<Wait> classify_wait(const procfs::ProcessSample& process, const procfs::ThreadSample& thread);

// Builds the wait-for graph over the tree's blocked threads and finds a cycle in it.
HangReport explain(const std::vector<procfs::ProcessSample>& tree, std::vector<Wait> waits);

// The report as a sentence per edge, e.g. "thread 41/43 (worker) waits for mutex 0x55.. held by 41/44".
std::string describe(const HangReport& report);
// The wait-for graph in Graphviz DOT.
std::string to_dot(const HangReport& report);

// Samples a run's tree and decides when it is stuck.
class HangMonitor {
 public:
  HangMonitor(pid_t root, HangOptions options) : root_(root), options_(options) {}
  std::optional<HangReport> sample(std::chrono::steady_clock::time_point now);

 private:
  bool is_runtime_thread(pid_t pid, const procfs::ThreadSample& thread);

  pid_t root_;
  HangOptions options_;
  std::map<pid_t, std::uint64_t> last_ticks_;  // tid -> cpu ticks
  std::optional<std::chrono::steady_clock::time_point> still_since_;  // unset until a first sample
  std::map<pid_t, bool> runtime_threads_;  // tid -> belongs to a sanitizer runtime
};

}  // namespace conclab
