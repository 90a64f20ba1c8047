// Bug: a supervisor runs a job and reads its stdout until end of file. The job starts a cache
//   daemon with fork() + exec(), and the daemon inherits the job's stdout: a write end of the
//   supervisor's pipe. The job exits, but end of file waits for the daemon, and the daemon waits
//   for the supervisor to close its control pipe, which happens only after end of file.
// Symptom: the job exits, the supervisor hangs in read() and prints nothing, every run.
// Fix: start the daemon with its stdout on /dev/null (Boost.Process v2's process_stdio).
// Tools: no detector looks across processes; conclab reports an ipc_deadlock under all three.
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process/v2.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

#include "conclab/invariant.hpp"

namespace bp = boost::process::v2;
using conclab::fixture::expect_eq;

[[noreturn]] void fail(const char* call) {
  throw std::system_error(errno, std::generic_category(), call);
}

// The cache daemon serves until its control channel, stdin, reaches end of file: its shutdown.
int run_daemon() {
  char byte;
  while (read(STDIN_FILENO, &byte, 1) > 0) {
  }
  return 0;
}

// The job starts the cache daemon, which outlives it, does its work and reports on stdout.
int run_job() {
  boost::asio::io_context io;
  // stdin: inherited, the control channel; stdout: /dev/null, not the supervisor's pipe.
  bp::process daemon(io, "/proc/self/exe", {"--daemon"}, bp::process_stdio{{}, nullptr, {}});
  std::printf("job: cache daemon %d started\njob: 3 files indexed\n", daemon.id());
  daemon.detach();  // it outlives the job (a bp::process would kill it when destroyed)
  return 0;
}

// Reads the job's output until end of file: until every write end of the pipe is closed.
std::string collect_output(int fd) {
  std::string output;
  char buffer[4096];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) output.append(buffer, n);
  return output;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--job") == 0) return run_job();
  if (argc > 1 && std::strcmp(argv[1], "--daemon") == 0) return run_daemon();
  // A subreaper: the daemon, orphaned when its job exits, becomes our child, for us to reap.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  // Our own pipes, O_CLOEXEC: Boost 1.81's process_stdio pipes leave the job a spare copy of its
  // stdout's write end, which a daemon would inherit (README).
  int output[2], control[2];
  if (pipe2(output, O_CLOEXEC) != 0 || pipe2(control, O_CLOEXEC) != 0) fail("pipe2");
  boost::asio::io_context io;
  bp::process job(io, "/proc/self/exe", {"--job"}, bp::process_stdio{control[0], output[1], {}});
  close(control[0]);  // the job's ends: ours to drop
  close(output[1]);
  const std::string text = collect_output(output[0]);
  close(output[0]);
  job.wait();
  const int status = job.native_exit_code();
  close(control[1]);  // shuts down whatever the job left running
  int reaped = 0;
  while (wait(nullptr) > 0) ++reaped;
  std::fputs(text.c_str(), stdout);
  if (int failed = expect_eq(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0, "job's status")) {
    return failed;
  }
  return expect_eq(reaped, 1, "daemons reaped after shutdown");
}
