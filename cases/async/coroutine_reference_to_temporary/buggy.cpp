// Bug: the coroutine handle() takes its request by const reference, and main passes a temporary.
//   A coroutine's frame keeps a reference parameter as a reference, not a copy; the temporary
//   dies at the end of the co_spawn statement, and the coroutine's body runs only later, in run().
// Symptom: handle() reads a destroyed string on every run: co_spawn only queues the coroutine's
//   start (the loop's FIFO order puts it after the statement that made the temporary has ended).
// Fix: take the request by value: the coroutine frame then holds its own copy of the string.
// Tools: ASan reports a stack-use-after-scope in handle() (the string object in main's frame),
//   TSan a heap-use-after-free (the string's freed buffer); release sees a wrong result;
//   clang-tidy flags the parameter (cppcoreguidelines-avoid-reference-coroutine-parameters).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>

#include "conclab/invariant.hpp"

namespace asio = boost::asio;

long get_requests = 0;

// A request as it arrives; longer than 15 characters, so std::string keeps it on the heap.
std::string make_request() { return "GET /reports/2024/summary.html HTTP/1.1"; }

asio::awaitable<void> handle(const std::string& request) {
  co_await asio::post(asio::use_awaitable);  // let other sessions run, as a read of the body would
  if (request.starts_with("GET ")) ++get_requests;
}

int main() {
  asio::io_context io;
  // handle() suspends before its first statement; co_spawn queues its start for the loop.
  co_spawn(io, handle(make_request()), asio::detached);
  io.run();  // the request string died at the end of the co_spawn statement
  return conclab::fixture::expect_eq(get_requests, 1, "GET requests handled");
}
