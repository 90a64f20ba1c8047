// Bug: capture_stdout() runs a job in a child process with its stdout on a pipe, then waits for the
//   child to exit before reading the pipe. The job prints 1 MiB; a pipe holds 64 KiB: the child
//   blocks in write() until someone reads, the parent in waitpid() until the child exits.
// Symptom: hangs on every run (any job that prints more than the pipe holds).
// Fix: read the pipe to end of file first, then reap the child with waitpid().
// Tools: no detector looks across processes; conclab reports an ipc_deadlock under all three.
#include <sys/wait.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/process/v2.hpp>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "conclab/invariant.hpp"

namespace asio = boost::asio;
namespace bp = boost::process::v2;
using boost::system::error_code;
using conclab::fixture::expect_eq;

constexpr int kItems = 16384;
constexpr int kLineBytes = 64;

// The job: a report of 16384 lines of 64 bytes each on stdout, 1 MiB in all.
void print_inventory() {
  for (int item = 0; item < kItems; ++item) {
    std::printf("item %06d: %-41s in stock\n", item, "bolt");
  }
}

// Runs this program with `args` in a child process, stores what it printed on stdout in `output`
// and returns its wait status.
int capture_stdout(const std::vector<std::string>& args, std::string& output) {
  asio::io_context io;
  asio::readable_pipe out(io);  // the child's stdout; process_stdio keeps only our read end here
  bp::process child(io, "/proc/self/exe", args, bp::process_stdio{{}, out, {}});
  // Read whatever arrives, until end of file: the pipe never stays full while the child writes.
  asio::async_read(out, asio::dynamic_buffer(output), [](error_code, std::size_t) {});
  int status = -1;
  child.async_wait([&](error_code ec, int) {
    if (!ec) status = child.native_exit_code();  // the wait status: exit code or signal
  });
  io.run();  // returns once both are done: output read to end of file, and the child reaped
  return status;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--print-inventory") == 0) {
    print_inventory();
    return 0;
  }
  std::string report;
  const int status = capture_stdout({"--print-inventory"}, report);
  if (int failed = expect_eq(report.size(), kItems * kLineBytes, "bytes captured")) return failed;
  return expect_eq(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0, "job's exit status");
}
