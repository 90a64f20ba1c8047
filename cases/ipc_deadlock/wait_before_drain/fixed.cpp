// Bug (fixed here): capture_stdout() waited for the child to exit before reading its output, and
//   the child could not exit while 1 MiB of output did not fit in the 64 KiB pipe.
// Symptom was a hang on every run; now all 16384 lines arrive and the job exits 0.
// Fix: read the pipe to end of file first (the child's exit closes the write end), then reap the
//   child with waitpid(): the parent drains while the child writes.
// Tools: release, ASan and TSan report nothing.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>

#include "conclab/invariant.hpp"

using conclab::fixture::expect_eq;

constexpr int kItems = 16384;
constexpr int kLineBytes = 64;

[[noreturn]] void fail(const char* call) {
  throw std::system_error(errno, std::generic_category(), call);
}

// The job: a report of 16384 lines of 64 bytes each on stdout, 1 MiB in all.
void print_inventory() {
  for (int item = 0; item < kItems; ++item) {
    std::printf("item %06d: %-41s in stock\n", item, "bolt");
  }
}

// Runs `job` in a child process, stores what it printed on stdout in `output` and returns its
// wait status.
int capture_stdout(void (*job)(), std::string& output) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) fail("pipe2");
  std::fflush(stdout);  // or the child would print our buffered output a second time
  const pid_t child = fork();
  if (child < 0) fail("fork");
  if (child == 0) {
    dup2(out[1], STDOUT_FILENO);  // the job's stdout is the pipe (dup2 drops O_CLOEXEC)
    close(out[0]);
    close(out[1]);
    job();
    std::fflush(stdout);
    _exit(0);  // skip the exit handlers inherited from the parent
  }
  close(out[1]);  // the child holds the only write end: end of file when it exits
  int status = 0;
  char buffer[65536];
  for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) > 0;) output.append(buffer, n);
  close(out[0]);
  waitpid(child, &status, 0);  // after end of file: the child has written everything
  return status;
}

int main() {
  std::string report;
  const int status = capture_stdout(print_inventory, report);
  if (int failed = expect_eq(report.size(), kItems * kLineBytes, "bytes captured")) return failed;
  return expect_eq(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0, "job's exit status");
}
