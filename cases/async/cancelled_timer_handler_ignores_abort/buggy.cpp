// Bug: a client waits for a reply with a deadline, a steady_timer whose handler counts a timeout
//   and closes the connection. The reply arrives first and its handler cancels the timer. Cancel
//   does not take the timer's handler back: it is still called, at once, with
//   asio::error::operation_aborted, and this handler ignores its error_code.
// Symptom: the request was answered, yet it is counted as timed out and the keep-alive connection
//   is closed: timeouts: expected 0, got 1, every run (one thread: the loop's FIFO order).
// Fix: the deadline handler returns on operation_aborted: only an expired timer is a timeout.
// Tools: no detector sees anything (one thread, every access valid, no lock): release, TSan and
//   ASan print CONCLAB_WRONG_RESULT, the program's own check.
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <string>

#include "conclab/invariant.hpp"

namespace asio = boost::asio;
using boost::system::error_code;
using stream_socket = asio::local::stream_protocol::socket;

constexpr std::chrono::seconds kReplyDeadline{5};
const std::string kReply = "200 OK";

// A client on a keep-alive connection: each request gets kReplyDeadline to be answered.
class Client {
 public:
  explicit Client(asio::io_context& io) : connection_(io), deadline_(io) {}

  stream_socket& connection() { return connection_; }
  int timeouts() const { return timeouts_; }
  const std::string& reply() const { return reply_; }

  // The request itself is sent; waits for its reply, at most until the deadline.
  void await_reply() {
    deadline_.expires_after(kReplyDeadline);
    deadline_.async_wait([this](error_code ec) { on_deadline(ec); });
    reply_.resize(kReply.size());
    asio::async_read(connection_, asio::buffer(reply_), [this](error_code ec, std::size_t) {
      if (ec) return;
      deadline_.cancel();  // answered in time: the deadline is off
    });
  }

 private:
  // Called when the deadline timer's wait ends: when it expires, and also when it is cancelled.
  void on_deadline(error_code /*ec*/) {
    ++timeouts_;  // the server is too slow: count it and give up on this connection
    connection_.close();
  }

  stream_socket connection_;
  asio::steady_timer deadline_;
  std::string reply_;
  int timeouts_ = 0;
};

int main() {
  asio::io_context io;  // one thread
  Client client(io);
  stream_socket server(io);
  asio::local::connect_pair(client.connection(), server);
  asio::write(server, asio::buffer(kReply));  // the server answers at once
  client.await_reply();
  io.run();
  if (int failed = conclab::fixture::expect_eq(client.timeouts(), 0, "timeouts")) return failed;
  if (int failed = conclab::fixture::expect_eq(client.reply() == kReply, 1, "reply received")) {
    return failed;
  }
  return conclab::fixture::expect_eq(client.connection().is_open(), 1, "connection open");
}
