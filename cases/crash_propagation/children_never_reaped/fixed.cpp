// Bug: a CGI-style server runs a handler process per request, relays its reply, and never waits
//   for it. A process that has exited stays in the process table, a zombie holding its PID, until
//   its parent reaps it with wait(): the server keeps every handler it ever ran.
// Symptom: after 16 requests, 16 <defunct> children; the server's health check counts them.
// Fix: sigaction(SIGCHLD) with SA_NOCLDWAIT: the kernel reaps each handler the moment it exits.
// Tools: no detector looks at the process table; conclab reports the health check (wrong_result).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "conclab/invariant.hpp"

constexpr int kRequests = 16;

[[noreturn]] void fail(const char* call) {
  throw std::system_error(errno, std::generic_category(), call);
}

// Runs in the child: answers one request on the reply pipe and exits.
[[noreturn]] void handle(int request, int reply_fd) {
  _exit(dprintf(reply_fd, "200 OK: request %d\n", request) > 0 ? 0 : 1);
}

// The health check: how many handlers are zombies? waitid() with WNOWAIT waits until the handler
// has exited and reports it without reaping it: it succeeds only for a zombie child of ours, and
// fails with ECHILD once the handler is gone from the process table.
int count_zombies(const pid_t (&handlers)[kRequests]) {
  int zombies = 0;
  for (const pid_t handler : handlers) {
    siginfo_t info{};
    zombies += waitid(P_PID, handler, &info, WEXITED | WNOWAIT) == 0;
  }
  return zombies;
}

int main() {
  struct sigaction no_zombies {};
  no_zombies.sa_handler = SIG_DFL;
  no_zombies.sa_flags = SA_NOCLDWAIT;  // or SIG_IGN as the handler: the same, per POSIX.1-2001
  if (sigaction(SIGCHLD, &no_zombies, nullptr) != 0) fail("sigaction");
  pid_t handlers[kRequests];
  for (int request = 0; request < kRequests; ++request) {
    int reply[2];
    if (pipe2(reply, O_CLOEXEC) != 0) fail("pipe2");
    const pid_t handler = handlers[request] = fork();
    if (handler < 0) fail("fork");
    if (handler == 0) {
      close(reply[0]);
      handle(request, reply[1]);
    }
    close(reply[1]);  // the handler holds the only write end: its exit is our end of file
    char buffer[256];
    for (ssize_t n; (n = read(reply[0], buffer, sizeof buffer)) > 0;) fwrite(buffer, 1, n, stdout);
    close(reply[0]);  // reply relayed; the kernel reaps the handler as it exits
  }
  std::fflush(stdout);
  return conclab::fixture::expect_eq(count_zombies(handlers), 0, "zombie children after 16 requests");
}
