// Bug (fixed here): the parent read the worker's log until end of file while still holding the
//   pipe's write end itself, so end of file never came and the parent waited forever.
// Symptom was a hang after the last line; now end of file arrives the moment the worker exits.
// Fix: Boost.Process v2 starts the worker (this program, --worker) with its stdout on a pipe it
//   makes and gives the parent only the read end; Asio reads it to end of file while
//   process::async_wait reaps the worker (exit status 0).
// Tools: release, ASan and TSan report nothing.
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
