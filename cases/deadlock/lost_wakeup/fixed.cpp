// Bug (fixed here): main waited on the condition variable with no predicate, after the loader
//   had already notified; a notification is not remembered, so main slept forever.
// Symptom was a hang; now main sees loaded == true, does not sleep at all, and reads port 8080.
// Fix: the state the waiter waits for lives in a flag, written and read under the mutex;
//   wait(lock, predicate) checks it before sleeping and after every wake-up, spurious ones too.
// Tools: release, ASan and TSan report nothing.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

std::mutex config_mutex;
std::condition_variable config_loaded;
int port GUARDED_BY(config_mutex) = 0;
bool loaded GUARDED_BY(config_mutex) = false;  // what main waits for: state, not a signal

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
    config_loaded.wait(lock, []() REQUIRES(config_mutex) { return loaded; });  // already true: no sleep at all
    port_seen = port;
  }
  loader.join();
  return conclab::fixture::expect_eq(port_seen, 8080, "port");
}
