// Bug (fixed here): the server ran a handler process per request and never reaped it, so every
//   handler it ever ran stayed in the process table as a zombie.
// Symptom was 16 <defunct> children after 16 requests; now the health check finds none.
// Fix: SIGCHLD's action gets SA_NOCLDWAIT: a child of ours that exits is reaped by the kernel at
//   once and never becomes a zombie (the price: its exit status is lost; see the README).
// Tools: release, ASan and TSan report nothing.
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
