// Bug: a Session stores the callback it runs once its reply is sent in a member, on_reply_sent_,
//   and that lambda captures shared_from_this() "to keep the session alive". The session now
//   holds a shared_ptr to itself: a reference cycle, its use count never drops to zero.
// Symptom: every session leaks (with its timer, buffers, socket...): the loop runs out of work and
//   run() returns, but no destructor ran; main's check counts 0 sessions destroyed of 1.
// Fix: the stored callback captures a std::weak_ptr (weak_from_this()) and locks it when called:
//   a member may point back at its owner, but must not own it.
// Tools: ASan's LeakSanitizer reports the leaked session at exit; release, TSan, Helgrind and DRD
//   see no error, only the program's own check fails.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "conclab/invariant.hpp"

namespace asio = boost::asio;
using boost::system::error_code;
using namespace std::chrono_literals;

long replies_sent = 0;
long sessions_destroyed = 0;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(asio::io_context& io) : io_(io), deadline_(io) {}
  ~Session() { ++sessions_destroyed; }

  // Answers one request. The handler posted here holds a share of the session while it waits.
  void start() {
    on_reply_sent_ = [self = shared_from_this()] {
      self->deadline_.cancel();  // the reply made it in time
      ++replies_sent;
    };
    deadline_.expires_after(10s);
    deadline_.async_wait([](error_code) {});
    asio::post(io_, [self = shared_from_this()] { self->send_reply(); });
  }

 private:
  void send_reply() {
    reply_ = "HTTP/1.1 204 No Content\r\n\r\n";  // written to the client here
    on_reply_sent_();
  }

  asio::io_context& io_;
  asio::steady_timer deadline_;          // gives up on a client that reads too slowly
  std::function<void()> on_reply_sent_;  // the session owns this callback
  std::string reply_;
};

int main() {
  asio::io_context io;
  std::make_shared<Session>(io)->start();  // from here on, its handlers keep the session alive
  io.run();  // returns when no handler is left: the session has nothing more to do
  if (int failed = conclab::fixture::expect_eq(replies_sent, 1, "replies sent")) return failed;
  return conclab::fixture::expect_eq(sessions_destroyed, 1, "sessions destroyed");
}
