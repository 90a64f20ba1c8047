// Bug: each request is served by a lambda coroutine that captures the request, created as a
//   temporary and handed to co_spawn. A coroutine's frame copies its parameters, and a lambda's
//   captures are no parameter: the frame keeps only `this`, a pointer to the closure object, which
//   dies at the end of the co_spawn statement, long before the coroutine reads its capture.
// Symptom: the coroutines, resumed by io.run(), read a dead closure's capture: every reply is wrong,
//   on every run (g++ -O2: "200 " and an empty string; -O1: the last request, whose closure the
//   loop built last in the same stack slot). ASan reports a stack-use-after-scope.
// Fix: pass the request as a parameter by value, which the frame copies and owns.
// Tools: ASan: stack-use-after-scope; release and TSan: only the program's check of the replies;
//   clang-tidy's cppcoreguidelines-avoid-capturing-lambda-coroutines flags the lambda.
#include <boost/asio.hpp>
#include <chrono>
#include <exception>
#include <string>
#include <vector>

#include "conclab/invariant.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;

int main() {
  asio::io_context io;  // main runs it after spawning every coroutine: none has started yet
  const std::vector<std::string> requests = {"/index", "/about", "/login"};
  std::vector<std::string> replies(requests.size());

  for (std::size_t i = 0; i < requests.size(); ++i) {
    const std::string& request = requests[i];
    asio::co_spawn(
        io,
        [](std::string request) -> asio::awaitable<std::string> {
          // Looking the page up takes a while: the timer stands for that I/O.
          asio::steady_timer lookup(co_await asio::this_coro::executor, 1ms);
          co_await lookup.async_wait(asio::use_awaitable);
          co_return "200 " + request;  // the frame's own copy, made when the coroutine was called
        }(request),  // the closure still dies here, but the coroutine no longer needs it
        [&replies, i](std::exception_ptr error, std::string reply) {
          if (error) std::rethrow_exception(error);
          replies[i] = std::move(reply);
        });
  }
  io.run();

  long correct = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) correct += replies[i] == "200 " + requests[i];
  return conclab::fixture::expect_eq(correct, static_cast<long>(requests.size()),
                                     "replies that name their own request");
}
