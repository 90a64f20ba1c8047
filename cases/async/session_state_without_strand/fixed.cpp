// Bug: io_context::run() runs on two threads, and one session's socket completes a read and a
//   write at once (full duplex). Both completion handlers add to the session's byte count, and
//   nothing serialises the session's handlers: each reads the count, adds, writes it back.
// Symptom: a lost update: bytes counted: expected 500, got 300 (gates pause the read handler
//   between its read and its write while the write handler runs on the other thread, every run).
// Fix: give the session's socket a strand (asio::make_strand(io)): its handlers run one at a time.
// Tools: release and ASan print CONCLAB_WRONG_RESULT; TSan reports a data race in Session::count()
//   between the two threads of the io_context.
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

namespace asio = boost::asio;
using boost::system::error_code;
using conclab::fixture::Gate;
using stream_socket = asio::local::stream_protocol::socket;

constexpr std::size_t kRequestBytes = 300;
constexpr std::size_t kGreetingBytes = 200;
// When the session's handlers are serialised, the other handler cannot run while one waits at a
// gate, so the gate stays shut and the wait ends at this soft limit.
constexpr std::chrono::milliseconds kPause{200};

Gate read_handler_has_read;  // the read handler holds a copy of the count, not written back yet
Gate write_handler_counted;  // the write handler added its bytes

// One client connection: reads the client's request while it sends its greeting.
class Session {
 public:
  // The socket's executor is the one its completion handlers run on: a strand of the io_context,
  // which runs them one at a time, on whichever thread of io.run() is free.
  explicit Session(asio::io_context& io) : socket_(asio::make_strand(io)) {}

  stream_socket& socket() { return socket_; }
  std::size_t bytes() const { return bytes_; }

  void start() {
    asio::async_read(socket_, asio::buffer(request_), [this](error_code ec, std::size_t n) {
      if (!ec) count(n, &read_handler_has_read, &write_handler_counted);
    });
    asio::async_write(socket_, asio::buffer(greeting_), [this](error_code ec, std::size_t n) {
      if (ec) return;
      read_handler_has_read.wait(kPause);
      count(n, nullptr, nullptr);
      write_handler_counted.open();
    });
  }

 private:
  // Adds n to the session's byte count: read, add, write back. Given gates, it pauses between
  // its read and its write.
  void count(std::size_t n, Gate* opened_after_read, Gate* awaited_before_write) {
    const std::size_t seen = bytes_;
    if (opened_after_read != nullptr) {
      opened_after_read->open();
      awaited_before_write->wait(kPause);
    }
    bytes_ = seen + n;
  }

  stream_socket socket_;
  std::string request_ = std::string(kRequestBytes, '\0');
  const std::string greeting_ = std::string(kGreetingBytes, 'g');
  std::size_t bytes_ = 0;  // read + written; both handlers update it, one at a time (the strand)
};

int main() {
  asio::io_context io;
  auto session = std::make_unique<Session>(io);  // on the heap, as a server's sessions are
  stream_socket client(io);
  asio::local::connect_pair(session->socket(), client);
  asio::write(client, asio::buffer(std::string(kRequestBytes, 'r')));  // the request, sent
  session->start();  // both transfers can complete at once: the request waits, the buffer has room
  std::thread second_loop_thread([&io] { io.run(); });
  io.run();
  second_loop_thread.join();
  return conclab::fixture::expect_eq(static_cast<long long>(session->bytes()),
                                     kRequestBytes + kGreetingBytes, "bytes counted");
}
