// interrupt: the signals that would end conclab, handled for the whole life of the process.
//
// install_stop_watch() runs first in main, before anything is started. From then on:
//  - INT, TERM, HUP, QUIT, USR1, USR2 and ALRM are a stop request: every run in flight is ended
//    (its whole tree, through its cgroup), no new run starts, and conclab exits 128+N after
//    writing what it has. (USR1/USR2/ALRM: conclab uses none of them; their default action
//    would kill conclab and orphan the run, so they stop it cleanly instead.)
//  - PIPE is caught and does nothing: a closed stdout is an EPIPE the writers check. (A handler,
//    not SIG_IGN: an ignored disposition would be inherited by the programs conclab runs.)
//  - A signal sent by a process of a run (its sender lives in one of this conclab's run
//    cgroups, or carries one of its CONCLAB_RUN_IDs) is not obeyed: it is recorded and the run
//    that sent it gets a finding. A program cannot end its own judge.
// The signals are unblocked too: a parent that blocked them would otherwise hold them forever.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace conclab {

void install_stop_watch();

// The first stop request received, if any.
std::optional<int> stop_signal();

void notify_subscribers(int signo);  // the watcher's, internal

// Calls `on_stop(signo)` once, from the watcher's thread, when a stop is requested; at once (from
// the caller's thread) when one was requested already. Unsubscribes on destruction.
class StopSubscription {
 public:
  explicit StopSubscription(std::function<void(int)> on_stop);
  ~StopSubscription();
  StopSubscription(const StopSubscription&) = delete;
  StopSubscription& operator=(const StopSubscription&) = delete;

 private:
  std::function<void(int)> on_stop_;
  bool fired_ = false;
  friend void notify_subscribers(int);
};

// A signal a run's own process sent to conclab, ignored.
struct SignalFromRun {
  int signo = 0;
  int sender = 0;      // its pid
  std::string run_id;  // the run it belongs to
};

// Takes the ignored signals sent by processes of run `run_id`.
std::vector<SignalFromRun> take_signals_from_run(const std::string& run_id);

}  // namespace conclab
