// Bug: a parent and its child each send a 1 MiB snapshot through the pipe to the other, then read
//   the other's. A Linux pipe holds 64 KiB: once both pipes are full, each write() waits for a
//   read the other process will do only after its own write. Both block in write() forever.
// Symptom: hangs on every run, no schedule needed (16 times what a pipe holds, both ways).
// Fix: exchange() sends and receives at once: a non-blocking write end and poll(2) on both pipes.
// Tools: no detector looks across processes; conclab reports an ipc_deadlock under all three.
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <boost/asio/write.hpp>
#include <boost/process/v2.hpp>
#include <cstring>
#include <string>
#include <system_error>

#include "conclab/invariant.hpp"

namespace asio = boost::asio;
namespace bp = boost::process::v2;
using boost::system::error_code;
using conclab::fixture::expect_eq;

constexpr long kSnapshotBytes = 1 << 20;

// Starts sending our snapshot to the peer and, at the same time, receiving the peer's until it
// closes its end. Whichever pipe is ready gets served while the io_context runs.
void exchange(asio::writable_pipe& to_peer, asio::readable_pipe& from_peer,
              const std::string& snapshot, std::string& received) {
  asio::async_write(to_peer, asio::buffer(snapshot), [&to_peer](error_code ec, std::size_t) {
    if (ec) throw std::system_error(ec, "write");
    to_peer.close();  // end of file for the peer
  });
  asio::async_read(from_peer, asio::dynamic_buffer(received), [](error_code ec, std::size_t) {
    if (ec != asio::error::eof) throw std::system_error(ec, "read");  // eof: all received
  });
}

// Runs in the child, on stdin (the parent's snapshot) and stdout (ours, to the parent).
int run_child() {
  asio::io_context io;
  asio::writable_pipe to_parent(io, STDOUT_FILENO);
  asio::readable_pipe from_parent(io, STDIN_FILENO);
  const std::string snapshot(kSnapshotBytes, 'c');
  std::string received;
  exchange(to_parent, from_parent, snapshot, received);
  io.run();
  return received == std::string(kSnapshotBytes, 'p') ? 0 : 1;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--child") == 0) return run_child();
  asio::io_context io;
  asio::writable_pipe to_child(io);  // process_stdio makes both pipes and keeps only our ends
  asio::readable_pipe from_child(io);
  bp::process child(io, "/proc/self/exe", {"--child"}, bp::process_stdio{to_child, from_child, {}});
  const std::string snapshot(kSnapshotBytes, 'p');
  std::string received;
  exchange(to_child, from_child, snapshot, received);
  int status = -1;
  child.async_wait([&](error_code ec, int) {
    if (!ec) status = child.native_exit_code();  // the wait status: exit code or signal
  });
  io.run();  // both transfers and the child's exit
  if (int failed = expect_eq(received.size(), kSnapshotBytes, "bytes from the child")) {
    return failed;
  }
  return expect_eq(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0, "child's exit status");
}
