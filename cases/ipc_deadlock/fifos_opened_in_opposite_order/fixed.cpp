// Bug: a server and its client talk over two named FIFOs, requests and replies. open() of a FIFO
//   blocks until the other end is opened too. The server opens requests first, the client opens
//   replies first: each waits in open() for the other to reach the FIFO it opens second.
// Symptom: both processes hang in open(), every run; no byte is exchanged.
// Fix: both sides open the FIFOs in the same order, requests then replies, like two locks.
// Tools: no detector looks across processes; conclab's hang explainer sees both blocked in
//   openat() on a FIFO, which it cannot attribute (who opens it next is unknown): a hang.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/process/v2.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "conclab/invariant.hpp"
#include "conclab/ipc.hpp"

namespace bp = boost::process::v2;
using conclab::fixture::expect_eq;

[[noreturn]] void fail(const char* call) {
  throw std::system_error(errno, std::generic_category(), call);
}

// Opens a FIFO; for reading, blocks until a writer opens it, for writing until a reader does.
int open_fifo(const char* path, int mode) {
  const int fd = open(path, mode | O_CLOEXEC);
  if (fd < 0) fail("open");
  return fd;
}

std::string read_all(int fd) {
  std::string text;
  char buffer[256];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, n);
  close(fd);
  return text;
}

void write_all(int fd, const std::string& text) {
  if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) fail("write");
  close(fd);  // end of file for the reader
}

// The client: one request, one reply.
int run_client(const char* requests, const char* replies) {
  const int request_fd = open_fifo(requests, O_WRONLY);  // the server's order: requests first
  const int reply_fd = open_fifo(replies, O_RDONLY);
  write_all(request_fd, "STOCK bolt");
  return read_all(reply_fd) == "42" ? 0 : 1;
}

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--client") == 0) return run_client(argv[2], argv[3]);
  const auto requests = conclab::fixture::run_temp_path("stock.requests");
  const auto replies = conclab::fixture::run_temp_path("stock.replies");
  for (const auto& fifo : {requests, replies}) {
    std::filesystem::remove(fifo);  // a stale one, left by a run that was killed
    if (mkfifo(fifo.c_str(), 0600) != 0) fail("mkfifo");
  }
  boost::asio::io_context io;
  bp::process client(io, "/proc/self/exe", {"--client", requests.string(), replies.string()});
  const int request_fd = open_fifo(requests.c_str(), O_RDONLY);  // requests first, then replies
  const int reply_fd = open_fifo(replies.c_str(), O_WRONLY);
  const std::string request = read_all(request_fd);
  write_all(reply_fd, request == "STOCK bolt" ? "42" : "unknown");
  client.wait();
  std::filesystem::remove(requests);
  std::filesystem::remove(replies);
  std::printf("request: %s\n", request.c_str());
  return expect_eq(client.native_exit_code(), 0, "client's wait status");
}
