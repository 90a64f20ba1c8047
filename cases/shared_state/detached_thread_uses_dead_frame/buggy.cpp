// Bug: audit_in_background() starts a detached thread with a lambda that captures the function's
//   local `order` by reference ([&]), and returns. The thread then reads a stack frame that is gone.
// Symptom: the audits add whatever the next calls left in that stack memory, not the orders'
//   amounts (every run: a gate makes the threads read only after both calls have returned).
// Fix: capture by value ([order]): the thread owns a copy that lives as long as it does.
// Tools: ASan reports stack-use-after-return in record_audit(); release and TSan see only the
//   program's check (to TSan, reading a stack slot nobody else writes under it is no race).
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
  std::thread([&] {  // & makes `order` a reference to this frame's local
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
