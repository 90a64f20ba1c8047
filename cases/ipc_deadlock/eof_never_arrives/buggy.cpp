// Bug: the parent reads a child's log from a pipe until end of file without closing its own copy
//   of the write end. End of file comes only once every write end is closed: after the child
//   exits, the parent waits in read() for a writer that is itself. The child stays a zombie.
// Symptom: all three lines arrive, then the parent hangs in read(), every run.
// Fix: close the write end in the parent right after fork() (and pipe2(O_CLOEXEC)), then reap.
// Tools: no detector sees it; conclab reports a hang (no cycle: nobody left can write).
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

#include "conclab/invariant.hpp"

using conclab::fixture::expect_eq;

[[noreturn]] void fail(const char* call) {
  throw std::system_error(errno, std::generic_category(), call);
}

// Runs in the child: a few lines of progress on the log pipe, then exit.
[[noreturn]] void run_worker(int log_fd) {
  for (const char* line : {"loading\n", "indexing\n", "done\n"}) {
    if (write(log_fd, line, std::strlen(line)) < 0) _exit(1);
  }
  _exit(0);  // closes the child's write end
}

int main() {
  int log_pipe[2];
  if (pipe(log_pipe) != 0) fail("pipe");
  const pid_t worker = fork();
  if (worker < 0) fail("fork");
  if (worker == 0) {
    close(log_pipe[0]);
    run_worker(log_pipe[1]);
  }
  // The parent still holds log_pipe[1]: a writer of this pipe that never writes, never closes.
  std::string log;
  char buffer[4096];
  for (ssize_t n; (n = read(log_pipe[0], buffer, sizeof buffer)) > 0;) log.append(buffer, n);
  close(log_pipe[0]);
  int status = 0;
  waitpid(worker, &status, 0);
  std::fputs(log.c_str(), stdout);
  if (int failed = expect_eq(log.size(), 22, "bytes of log")) return failed;
  return expect_eq(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0, "worker's exit status");
}
