// Bug (fixed here): the parent read the child's log until end of file while still holding the
//   pipe's write end itself, so end of file never came and the parent waited forever.
// Symptom was a hang after the last line; now end of file arrives the moment the child exits.
// Fix: the parent closes its write end right after fork(), and pipe2(O_CLOEXEC) keeps both ends
//   out of any program started later; then waitpid() reaps the child (exit status 0).
// Tools: release, ASan and TSan report nothing.
#include <fcntl.h>
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
  // O_CLOEXEC: a program that another thread starts meanwhile must not inherit an end either.
  if (pipe2(log_pipe, O_CLOEXEC) != 0) fail("pipe2");
  const pid_t worker = fork();
  if (worker < 0) fail("fork");
  if (worker == 0) {
    close(log_pipe[0]);
    run_worker(log_pipe[1]);
  }
  close(log_pipe[1]);  // the worker holds the only write end now: its exit is our end of file
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
