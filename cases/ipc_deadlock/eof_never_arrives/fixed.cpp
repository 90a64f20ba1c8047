// Bug: the parent reads a child's log from a pipe until end of file without closing its own copy
//   of the write end. End of file comes only once every write end is closed: after the child
//   exits, the parent waits in read() for a writer that is itself. The child stays a zombie.
// Symptom: all three lines arrive, then the parent hangs in read(), every run.
// Fix: close the write end in the parent right after fork() (and pipe2(O_CLOEXEC)), then reap.
// Tools: no detector sees it; conclab reports a hang (no cycle: nobody left can write).
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/process/v2.hpp>
#include <cstdio>
#include <cstring>
#include <string>

#include "conclab/invariant.hpp"

namespace asio = boost::asio;
namespace bp = boost::process::v2;
using boost::system::error_code;
using conclab::fixture::expect_eq;

// Runs in the worker: a few lines of progress on stdout, the log pipe, then exit.
int run_worker() {
  for (const char* line : {"loading\n", "indexing\n", "done\n"}) {
    if (write(STDOUT_FILENO, line, std::strlen(line)) < 0) return 1;
  }
  return 0;  // exiting closes the worker's write end: the parent's end of file
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--worker") == 0) return run_worker();
  asio::io_context io;
  asio::readable_pipe log_pipe(io);
  // process_stdio makes the pipe, hands its write end to the worker as stdout and closes the
  // parent's copy at once: the worker holds the only write end.
  bp::process worker(io, "/proc/self/exe", {"--worker"}, bp::process_stdio{{}, log_pipe, {}});
  std::string log;
  asio::async_read(log_pipe, asio::dynamic_buffer(log), [](error_code, std::size_t) {
    // asio::error::eof: every write end is closed, the whole log is in
  });
  int status = -1;
  worker.async_wait([&](error_code ec, int) {
    if (!ec) status = worker.native_exit_code();  // the wait status: exit code or signal
  });
  io.run();  // until both are done: the log read to end of file and the worker reaped
  std::fputs(log.c_str(), stdout);
  if (int failed = expect_eq(log.size(), 22, "bytes of log")) return failed;
  return expect_eq(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0, "worker's exit status");
}
