// limits: what a run may use. rlimits for CPU time, file size and core files; a cgroup for the
// number of processes and for memory, because rlimits cannot do those here: RLIMIT_NPROC does
// not bind root, and RLIMIT_AS breaks the sanitizers, which reserve terabytes of address space.
// Without a writable cgroup (v1 `pids`/`memory` controllers or v2), those two limits are off
// and `ChildCgroup::describe()` says so. See docs/limits.md.
//
// The same cgroups are how a run is ended for good: every process of it, however it forked or
// renamed its session, is in them. With the v1 `freezer` (or v2's cgroup.freeze) the run is
// frozen, so nothing can fork, every member is SIGKILLed, then thawed: one pass, whatever a fork
// bomb does. The first ChildCgroup of a conclab also removes the `conclab-<pid>-<n>` cgroups of
// conclabs that are dead (killed with SIGKILL), killing what was left in them.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace conclab {

struct ChildLimits {
  // RLIMIT_CPU: SIGXCPU, then SIGKILL a second later. 0: follow the run's time limit (cpu_cap_for).
  std::uint64_t cpu_seconds = 0;
  std::uint64_t file_bytes = 1ull << 30;         // RLIMIT_FSIZE: a bigger write gets SIGXFSZ
  std::uint64_t processes = 512;                 // cgroup pids.max (threads count too)
  std::uint64_t memory_bytes = 4ull << 30;       // cgroup memory limit (resident memory, not address space)
};

// The CPU-time cap of a run whose time limit is `timeout` on `cpus` usable CPUs: more CPU time than
// its threads can use before the watchdog ends it, so it never cuts a run the time limit allows
// (a fixed 120 s killed two busy TSan threads after 102 s of a 300 s limit). It stays as a backstop
// for a run that outlives conclab itself (conclab killed by SIGKILL cannot end it).
std::uint64_t cpu_cap_for(std::chrono::milliseconds timeout, unsigned cpus);

// CPUs this process may run on (its affinity mask), at least 1.
unsigned usable_cpus();

// `limits` with cpu_seconds filled in from the time limit when it is 0.
ChildLimits effective_limits(ChildLimits limits, std::chrono::milliseconds timeout);

// Sets the rlimits; runs in the child between fork and exec (async-signal-safe).
int apply_rlimits(const ChildLimits& limits);

// A cgroup of its own for one run. Made before the spawn; the child joins it before exec;
// removed once the run's processes are gone.
class ChildCgroup {
 public:
  ChildCgroup(const std::string& run_id, const ChildLimits& limits);
  ~ChildCgroup();
  ChildCgroup(const ChildCgroup&) = delete;
  ChildCgroup& operator=(const ChildCgroup&) = delete;

  // The cgroup.procs files the child writes "0" to (precomputed: the child must not allocate).
  const std::vector<std::string>& procs_files() const { return procs_files_; }
  // Whether the memory limit killed something in this run (the OOM killer's SIGKILL).
  bool memory_limit_hit() const;
  // Whether fork/clone failed because of the process limit.
  bool process_limit_hit() const;
  // "processes <= 512 (cgroup v1 pids), memory <= 4096 MiB (cgroup v1 memory)", or why not.
  std::string describe() const;

  // The processes in the run's cgroup (none when there is no cgroup).
  std::vector<pid_t> members() const;
  // Whether freeze() can stop the whole run at once.
  bool can_freeze() const { return !freezer_dir_.empty(); }
  // Freezes the run (bounded wait: a process in uninterruptible sleep may take its time) and
  // returns its members; thaw() lets them run again, and a SIGKILL sent meanwhile act.
  std::vector<pid_t> freeze() const;
  void thaw() const;
  // Waits (bounded by `limit`) until no process is left in the cgroup.
  bool wait_until_empty(std::chrono::milliseconds limit) const;

 private:
  std::vector<std::string> dirs_;  // made by us, removed in the destructor
  std::vector<std::string> procs_files_;
  std::string pids_dir_, memory_dir_, freezer_dir_;
  bool v2_ = false;
  std::string missing_;
  ChildLimits limits_;
};

// Joins the cgroups: writes "0" into each file. Async-signal-safe; returns 0 or an errno.
int join_cgroups(const std::vector<std::string>& procs_files);

}  // namespace conclab
