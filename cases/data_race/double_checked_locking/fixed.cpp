// Bug: double-checked locking. settings() reads settings_instance with no lock and no acquire,
//   and the locked slow path publishes the pointer before the Settings are loaded.
// Symptom: a second thread's unlocked fast path reads the half-built Settings (0, not 64).
// Fix: a function-local static: the language runs its initializer once and makes others wait.
// Tools: release and ASan print CONCLAB_WRONG_RESULT; TSan reports a data race in settings();
//   tsa flags the unlocked reads of the pointer its CONCLAB_GUARDED_BY ties to settings_mutex.
#include <chrono>
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

struct Settings {
  int max_connections = 0;
  int timeout_ms = 0;
  void load() {  // stands for reading a configuration file
    max_connections = 64;
    timeout_ms = 250;
  }
};

Gate published;   // the initializer has started, the settings are not loaded yet
Gate other_read;  // the other thread has read the settings

// The second thread now blocks inside settings() until the initializer returns, so it cannot open
// other_read in time: the wait below ends at its 1 s soft limit.
Settings load_settings() {
  Settings loaded;
  published.open();
  other_read.wait(std::chrono::seconds(1));
  loaded.load();
  return loaded;
}

const Settings& settings() {
  static const Settings instance = load_settings();  // thread-safe, once
  return instance;
}

int main() {
  int seen_max_connections = 0;
  std::thread first([] { settings(); });
  std::thread second([&] {
    published.wait();
    seen_max_connections = settings().max_connections;
    other_read.open();
  });
  first.join();
  second.join();
  return conclab::fixture::expect_eq(seen_max_connections, 64,
                                    "max_connections seen by the second thread");
}
