// watch: the sweep that leaves no process of a run behind (its time limit: watchdog.hpp).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "run/limits.hpp"

namespace conclab {

// Makes this process adopt orphaned descendants (PR_SET_CHILD_SUBREAPER), so a grandchild that
// leaves the process group still ends up where end_strays() can find and reap it.
void adopt_orphans();

// A process of a run that outlived its leader.
struct Stray {
  pid_t pid = 0;
  std::string name;     // comm
  std::string command;  // cmdline, arguments joined by spaces
};

// Kills and reaps what is left of a run once its leader is gone: the rest of process group
// `pgid` and every orphan this process adopted that carries CONCLAB_RUN_ID=`run_id` (or, when no
// other run is in flight, any orphan). First gives them `let_finish` to end by themselves (a
// child told of its parent's death by PR_SET_PDEATHSIG needs a moment). Returns those it had
// to kill, not counting zombies and a sanitizer's symbolizer. With the run's `cgroup`, first
// freezes it and kills every member at once (limits.hpp): a fork bomb cannot outrun that; the
// sweep then reaps, and ends what a cgroup-less run left.
std::vector<Stray> end_strays(pid_t pgid, const std::string& run_id = {},
                              std::chrono::milliseconds let_finish = std::chrono::milliseconds(0),
                              const ChildCgroup* cgroup = nullptr);

// The CONCLAB_RUN_ID a process inherited; empty when it has none or its environ is unreadable.
std::string run_id_of(pid_t pid);

// Leaders of runs in flight: end_strays() leaves them to their own run.
void register_leader(pid_t pid);
void unregister_leader(pid_t pid);

// Held from a run's fork until its leader is registered, and by end_strays() while it sweeps:
// a sweep of one run must never see another run's child between fork and registration (it
// would pass for an orphan, be killed and reaped, and its launcher's pidfd_open would fail).
std::unique_lock<std::mutex> hold_process_table();

}  // namespace conclab
