// Bug (fixed here): the detached thread's lambda captured the local `order` by reference ([&]),
//   so after audit_in_background() returned the thread read a dead stack frame.
// Symptom was an audited total made of whatever the next calls left on the stack; now 18750.
// Fix: capture by value ([order]): the lambda object, which the thread owns until it finishes,
//   holds its own copy. Joining is no fix here: the caller must not wait for the audit.
// Tools: release, ASan and TSan all report nothing.
#include <atomic>
#include <latch>
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

struct Order {
  int id;
  long amount_cents;
};

conclab::fixture::Gate caller_returned;  // audit_in_background() has returned: its frame is dead
std::latch audits_recorded{2};           // both background audits have added their amounts
std::atomic<long> audited_cents{0};

Order load_order(int id) { return Order{id, 1250L * id}; }

void record_audit(const Order& order) { audited_cents.fetch_add(order.amount_cents); }

// Starts the audit of one order and returns at once: the caller must not wait for it.
void audit_in_background(int order_id) {
  const Order order = load_order(order_id);
  std::thread([order] {  // a copy inside the lambda, which the thread owns
    caller_returned.wait();
    record_audit(order);
    audits_recorded.count_down();
  }).detach();
}

int main() {
  audit_in_background(7);
  audit_in_background(8);  // its frame lands where the first call's was
  caller_returned.open();
  audits_recorded.wait();
  return conclab::fixture::expect_eq(audited_cents.load(), (7 + 8) * 1250, "audited cents");
}
