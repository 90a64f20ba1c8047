// hang: notices that threads have stopped for good and explains it as a wait-for graph over threads
// and processes. Some threads still through a window whose waits form a cycle nobody outside it can
// break are a deadlock (one process) or an ipc_deadlock (several), whatever the other threads do; a
// whole tree blocked without a cycle is a hang.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/outcome.hpp"
#include "hang/procfs.hpp"

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
  std::uint64_t address = 0;         // for a mutex or a futex: where it sits in the process
  std::string peer;  // for a UNIX socket: its peer's "socket:[N]", from the kernel (unix_peers.hpp); empty if unknown
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

// Building blocks of explain(), shared with HangMonitor's search among some threads.
// The threads that could end `w`: a mutex's owner, a joined thread, every thread of each process
// holding the pipe's or socket's other end, of each child waited for.
std::vector<ThreadRef> wakers_of(const std::vector<procfs::ProcessSample>& tree, const Wait& w);
// Finds the process of a mutex owner known only by its thread id; forgets an owner that is dead.
void resolve_owner(const std::vector<procfs::ProcessSample>& tree, Wait& w);
// A cycle in the wait-for graph (edges: each wait's wakers), as indices into `waits`, or empty.
std::vector<std::size_t> find_cycle(const std::vector<Wait>& waits);

// The report as a sentence per edge, e.g. "thread 41/43 (worker) waits for mutex 0x55.. held by 41/44".
std::string describe(const HangReport& report);
// The wait-for graph in Graphviz DOT.
std::string to_dot(const HangReport& report);

// Samples a run's tree and decides when it is stuck (hang_monitor.cpp).
class HangMonitor {
 public:
  using Clock = std::chrono::steady_clock;
  // `run_id`: the CONCLAB_RUN_ID the run's processes inherit; a process with another one belongs
  // to a conclab nested in the run, which judges it.
  HangMonitor(pid_t root, HangOptions options, std::string run_id = {})
      : root_(root), options_(options), run_id_(std::move(run_id)) {}
  std::optional<HangReport> sample(Clock::time_point now);
  // Every thread blocked in the same wait through the last window, with its wakers and stack: what
  // a run that ends at its time limit (or is interrupted) was stuck in. Reads the tree afresh.
  std::vector<Wait> stuck_threads(Clock::time_point now);

 private:
  // A thread is still while its syscall, arguments, CPU time and count of times it ran stay the same.
  struct Stillness {
    long syscall = -2;
    std::array<std::uint64_t, 6> args{};
    std::uint64_t cpu_ticks = 0;
    std::optional<std::uint64_t> runs;  // from schedstat, read once the rest stopped changing
    Clock::time_point since;
  };
  bool is_runtime_thread(pid_t pid, const procfs::ThreadSample& thread);
  void track_stillness(const std::vector<procfs::ProcessSample>& tree, Clock::time_point now);
  bool still_through_window(const procfs::ThreadSample& thread, Clock::time_point now) const;
  std::optional<HangReport> whole_tree_stuck(const std::vector<procfs::ProcessSample>& tree, Clock::time_point now);
  std::optional<HangReport> cycle_among_still_threads(std::vector<procfs::ProcessSample> tree, Clock::time_point now);
  std::vector<procfs::ProcessSample> without_nested_runs(std::vector<procfs::ProcessSample> tree);

  pid_t root_;
  HangOptions options_;
  std::string run_id_;
  // tid -> (cpu ticks, times scheduled): a thread that wakes and goes back to the same wait between
  // two samples (a timer's tick in epoll_wait) moved, though its cpu ticks did not.
  std::map<pid_t, std::pair<std::uint64_t, std::uint64_t>> last_ticks_;
  std::optional<Clock::time_point> still_since_;  // unset until a first sample
  std::map<pid_t, bool> runtime_threads_;  // tid -> belongs to a sanitizer runtime
  int lookups_left_ = 0;                   // eu-addr2line spawns this sample may still make
  std::map<pid_t, Stillness> stillness_;   // tid -> since when it has not moved
  std::map<pid_t, bool> nested_run_;       // pid -> belongs to another conclab run nested in this one
};

// Reads the call stacks of the waiting threads into their frames (one eu-stack per process).
void attach_stacks(std::vector<Wait>& waits);

// Names the mutexes and futexes waited on by where they sit: a global or static variable by its
// symbol, demangled (`mutex ledger_lock (0x5581...)`, llvm-symbolizer's DATA lookup, one call per
// module), else `heap` or `stack`; a pipe or socket by the descriptors that hold its other end,
// "fd 5 of pid 41" (object_names.cpp).
void name_objects(const std::vector<procfs::ProcessSample>& tree, std::vector<Wait>& waits);

}  // namespace conclab
