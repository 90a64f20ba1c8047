// Bug: the loader stores the config and calls notify_one(); main then waits on the condition
//   variable with no predicate. A notification wakes only threads already waiting and is not
//   remembered: this one came first, so main sleeps forever (a lost wake-up).
// Symptom: hangs on every run (a gate holds main back until the loader has notified, the order a
//   busy machine produces now and then).
// Fix: a `loaded` flag written under the mutex and wait(lock, predicate), which checks it first.
// Tools: no detector names it: no lock cycle, and the config is written and read under the mutex,
//   so TSan has nothing to report. conclab reports a hang: nobody is left to notify main.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

std::mutex config_mutex;
std::condition_variable config_loaded;
int port CONCLAB_GUARDED_BY(config_mutex) = 0;
bool loaded CONCLAB_GUARDED_BY(config_mutex) = false;  // what main waits for: state, not a signal

Gate loader_notified;  // the loader has called notify_one()

int main() {
  std::thread loader([] {
    {
      std::lock_guard lock(config_mutex);
      port = 8080;  // parsed from a config file, in real life
      loaded = true;
    }
    config_loaded.notify_one();
    loader_notified.open();
  });
  loader_notified.wait();  // schedule: main starts waiting only after the notification
  int port_seen = 0;
  {
    std::unique_lock lock(config_mutex);
    conclab::fixture::assume_held(config_mutex);  // for tsa: libc++'s unique_lock is not annotated
    config_loaded.wait(lock, []() CONCLAB_REQUIRES(config_mutex) { return loaded; });  // already true: no sleep at all
    port_seen = port;
  }
  loader.join();
  return conclab::fixture::expect_eq(port_seen, 8080, "port");
}
