// Bug: the SIGHUP handler logs "reloading <path>" by building a std::string (malloc, free) and
//   printing it with std::fputs. Neither is async-signal-safe: should the signal land while the
//   interrupted code is inside malloc or stdio, the handler re-enters them mid-update or waits
//   forever for a lock its own thread holds.
// Symptom: none here: raise() delivers the signal at a quiet moment, and no gate can stop a
//   thread inside libc's malloc to force the bad one. In a busy server: rare, unexplained hangs.
// Fix: the handler only sets a volatile std::sig_atomic_t flag; the main loop does the logging.
// Tools: TSan reports "signal-unsafe call inside of a signal" in on_sighup(); release and ASan
//   report nothing.
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
