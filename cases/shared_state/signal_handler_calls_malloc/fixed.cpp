// Bug (fixed here): the SIGHUP handler built a std::string (malloc, free) and printed it with
//   std::fputs; neither is async-signal-safe, so a signal landing inside malloc or stdio could
//   corrupt the heap or hang the thread on a lock it already held.
// Symptom was none in a quiet run, rare hangs in a busy one; TSan flagged every call.
// Fix: the handler only sets a volatile std::sig_atomic_t flag (a lock-free atomic would do too);
//   the main loop sees it and does the logging, where malloc and stdio are safe.
// Tools: release, ASan and TSan all report nothing.
#include <csignal>
#include <cstdio>
#include <string>

#include "conclab/invariant.hpp"

const std::string kConfigPath = "/etc/conclab/server.toml";
int reloads = 0;
volatile std::sig_atomic_t reload_requested = 0;

extern "C" void on_sighup(int) { reload_requested = 1; }

int main() {
  std::signal(SIGHUP, on_sighup);
  std::raise(SIGHUP);  // as `kill -HUP <pid>` from an administrator would
  if (reload_requested != 0) {  // the main loop's next turn
    reload_requested = 0;
    const std::string message = "reloading " + kConfigPath + "\n";
    std::fputs(message.c_str(), stderr);
    ++reloads;
  }
  return conclab::fixture::expect_eq(reloads, 1, "reloads");
}
