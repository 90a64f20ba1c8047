// Bug: send() starts an asio::async_write per message, even while the previous one still runs.
//   async_write is a composed operation, a loop of async_write_some calls of at most 64 KiB each;
//   two of them outstanding on one socket take turns, and the peer gets their chunks interleaved.
// Symptom: message A (1 MiB, 16 chunks) arrives in pieces (18 here) with B's chunks between them,
//   on every run. One thread, no race: B's first chunk is sent before main runs the loop at all.
// Fix: a write queue. send() appends to the outbox and starts a write only when none is running;
//   each write's completion handler starts the next message's.
// Tools: release, TSan and ASan print CONCLAB_WRONG_RESULT (one thread: no race, every access
//   valid); no detector knows that a socket's writes must not overlap.
#include <boost/asio.hpp>
#include <deque>
#include <string>
#include <system_error>

#include "conclab/invariant.hpp"

namespace asio = boost::asio;
using boost::system::error_code;
using asio::local::stream_protocol;

constexpr std::size_t kMessageBytes = 1 << 20;

// Sends whole messages on a stream socket, for a protocol whose peer expects each one contiguous.
class Sender {
 public:
  explicit Sender(stream_protocol::socket& socket) : socket_(socket) {}

  void send(std::string message) {
    outbox_.push_back(std::move(message));  // a deque: the buffer stays put while it is written
    if (outbox_.size() == 1) write(outbox_.front());  // else the running write's handler will
  }

 private:
  // Writes one whole message, the only async_write on the socket; its completion handler, called
  // once the last chunk is out, starts the next message waiting in the outbox.
  void write(const std::string& message) {
    asio::async_write(socket_, asio::buffer(message), [this](error_code ec, std::size_t) {
      if (ec) throw std::system_error(ec, "write");
      outbox_.pop_front();
      if (!outbox_.empty()) write(outbox_.front());
    });
  }

  stream_protocol::socket& socket_;
  std::deque<std::string> outbox_;  // the message being written, then those waiting
};

// How many separate pieces the bytes of `letter` form in `stream`: 1 when its message is contiguous.
long pieces_of(const std::string& stream, char letter) {
  long pieces = 0;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    if (stream[i] == letter && (i == 0 || stream[i - 1] != letter)) ++pieces;
  }
  return pieces;
}

int main() {
  asio::io_context io;  // run by main alone: every handler in the order it became ready
  stream_protocol::socket writer(io), reader(io);
  asio::local::connect_pair(writer, reader);

  std::string received;
  asio::async_read(reader, asio::dynamic_buffer(received), asio::transfer_exactly(2 * kMessageBytes),
                   [](error_code ec, std::size_t) {
                     if (ec) throw std::system_error(ec, "read");
                   });
  Sender sender(writer);
  sender.send(std::string(kMessageBytes, 'A'));
  sender.send(std::string(kMessageBytes, 'B'));  // waits in the outbox until A is out
  io.run();
  return conclab::fixture::expect_eq(pieces_of(received, 'A'), 1, "pieces message A arrived in");
}
