// Bug: a handler on a single-threaded io_context asks a price service for a price, whose reply is a
//   handler posted to the same loop, and waits for it on a std::future. The future waits for the
//   reply; the reply waits in the loop's queue for the thread that is waiting on the future.
// Symptom: hangs on every run, at the first order; no schedule is needed.
// Fix: compose, do not wait: the rest of the order is the reply's continuation, run by the loop
//   when the price arrives; nothing blocks the loop's thread.
// Tools: no detector looks at waits (TSan sees no lock held, ASan valid memory); conclab's hang
//   explainer finds the loop's only thread blocked on the future's futex: a hang under all three.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <utility>

#include "conclab/invariant.hpp"

namespace asio = boost::asio;

constexpr int kOrders = 3;
long total_cents = 0;  // touched only by handlers of the loop: one thread

// The price service's asynchronous API: it answers through the loop, as a handler posted to it
// (a reply read from a socket would arrive the same way, in a handler the loop runs).
void request_price(asio::io_context& loop, int item, std::function<void(long)> on_reply) {
  asio::post(loop, [item, on_reply = std::move(on_reply)] { on_reply(100L * item); });
}

// Handles one order: gets the item's price and adds it to the total. The addition is the reply's
// continuation: the loop runs it when the price arrives, after this handler has returned.
void handle_order(asio::io_context& loop, int item) {
  request_price(loop, item, [](long cents) { total_cents += cents; });
}

int main() {
  asio::io_context loop;  // run by main alone: one thread runs every handler, one at a time
  for (int item = 1; item <= kOrders; ++item) {
    asio::post(loop, [&loop, item] { handle_order(loop, item); });
  }
  loop.run();
  return conclab::fixture::expect_eq(total_cents, 100L * (1 + 2 + 3), "total of the orders");
}
