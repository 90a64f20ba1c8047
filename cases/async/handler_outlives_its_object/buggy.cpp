// Bug: a Session arms an idle timer whose handler captures a raw `this`. When its client
//   disconnects, the server stops the session (cancels the timer) and destroys it at once. But a
//   cancelled wait still completes: its handler is queued with operation_aborted and the loop runs
//   it afterwards, on a Session that no longer exists.
// Symptom: on_idle() reads freed memory on every run: one thread runs the loop, and it always runs
//   the disconnect handler (which deletes the session) before the aborted wait's handler.
// Fix: Session derives from std::enable_shared_from_this and the handler captures
//   self = shared_from_this(): the session lives until its last handler has run.
// Tools: ASan and TSan report a heap-use-after-free in Session::on_idle(); release, Helgrind and
//   DRD see nothing (one thread; the freed memory still holds the right count).
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>

#include "conclab/invariant.hpp"

namespace asio = boost::asio;
using boost::system::error_code;
using namespace std::chrono_literals;

long requests_logged = 0;  // what the sessions report when they end

class Session {
 public:
  Session(asio::io_context& io, long requests_served)
      : idle_timer_(io), requests_served_(requests_served) {}

  // Ends the session when its client has been silent for 30 s.
  void start() {
    idle_timer_.expires_after(30s);
    idle_timer_.async_wait([this](error_code ec) { on_idle(ec); });
  }

  // Cancelling does not drop the handler: it makes it run soon, with operation_aborted.
  void stop() { idle_timer_.cancel(); }

 private:
  // Timed out or stopped: either way the session is over; log what it served.
  void on_idle(error_code ec) {
    const bool stopped = ec == asio::error::operation_aborted;
    std::printf("session %s after %ld requests\n", stopped ? "stopped" : "timed out",
                requests_served_);
    requests_logged += requests_served_;
  }

  asio::steady_timer idle_timer_;
  long requests_served_;
};

int main() {
  asio::io_context io;
  std::map<int, std::unique_ptr<Session>> sessions;
  sessions[1] = std::make_unique<Session>(io, 3);
  sessions[1]->start();
  // Client 1 disconnects: the server stops its session and forgets it.
  asio::post(io, [&sessions] {
    sessions[1]->stop();
    sessions.erase(1);  // destroys the Session; its aborted wait's handler is still queued
  });
  io.run();
  return conclab::fixture::expect_eq(requests_logged, 3, "requests logged");
}
