// Bug: one thread runs a single io_context that serves three connections (a message every 10 ms
//   each) and a request; the request's coroutine makes a blocking call (a synchronous read of slow
//   I/O, 300 ms). co_await is the only place a coroutine gives the loop back: the call holds it.
// Symptom: every connection's messages wait 300 ms, on every run (the loop runs its handlers in
//   order); the answers all arrive in the end, so the program's own check passes.
// Fix: run the blocking call on an asio::thread_pool and co_await its result back on the loop.
// Tools: no detector looks at time; conclab reads Asio's handler tracking (@asio| lines) and
//   reports a loop_stall under release, TSan and ASan: one handler ran 300 ms while others waited.
#define BOOST_ASIO_ENABLE_HANDLER_TRACKING  // Asio prints @asio| lines: when each handler ran
#include <boost/asio.hpp>
#include <chrono>
#include <thread>

#include "conclab/invariant.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using conclab::fixture::expect_eq;

constexpr int kConnections = 3;
constexpr int kMessagesPerConnection = 20;  // one every 10 ms: 200 ms of traffic per connection
int messages_served = 0;                    // touched only by handlers of the loop: one thread
int records_answered = 0;

// Stands for a synchronous read of slow I/O (a disk, a database, a blocking client library):
// the calling thread sleeps in the system call for 300 ms.
int read_record_blocking(int key) {
  std::this_thread::sleep_for(300ms);
  return key * 2;
}

// One connection: a message every 10 ms, each one served by a handler on the loop.
asio::awaitable<void> serve_connection() {
  asio::steady_timer next_message(co_await asio::this_coro::executor);
  for (int i = 0; i < kMessagesPerConnection; ++i) {
    next_message.expires_after(10ms);
    co_await next_message.async_wait(asio::use_awaitable);
    ++messages_served;
  }
}

// A request that needs a record. It looks like the rest of the loop's work, but the call blocks
// the loop's only thread: no other handler runs until it returns.
asio::awaitable<void> answer_request(int key) {
  const int record = read_record_blocking(key);
  if (record == key * 2) ++records_answered;
  co_return;
}

int main() {
  asio::io_context loop;  // run by main alone: one thread runs every handler, one at a time
  for (int c = 0; c < kConnections; ++c) asio::co_spawn(loop, serve_connection(), asio::detached);
  // Spawned last, it starts after the connections armed their timers, which then expire while
  // it blocks: their handlers wait for it, on every run.
  asio::co_spawn(loop, answer_request(21), asio::detached);
  loop.run();
  if (int failed = expect_eq(records_answered, 1, "requests answered")) return failed;
  return expect_eq(messages_served, kConnections * kMessagesPerConnection, "messages served");
}
