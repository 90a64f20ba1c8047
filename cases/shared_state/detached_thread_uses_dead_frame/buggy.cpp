// Bug: audit_in_background() starts a detached thread with a lambda that captures the function's
//   local `order` by reference ([&]), and returns. The thread then reads a stack frame that is gone.
// Symptom: the audits add whatever the next calls left in that stack memory, not the orders'
//   amounts (every run: a gate makes the threads read only after both calls have returned).
// Fix: capture by value ([order]): the thread owns a copy that lives as long as it does.
// Tools: ASan reports stack-use-after-return in record_audit(); release and TSan see only the
//   program's check (to TSan, reading a stack slot nobody else writes under it is no race).
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

struct Order {
  int id;
  long amount_cents;
};

conclab::fixture::Gate caller_returned;  // audit_in_background() has returned: its frame is dead
std::atomic<long> audited_cents{0};

// Main waits for both audits. A mutex and a condition variable, not std::latch: valgrind's DRD
// does not know C++20's atomic wait and reports latch's own counter as a race (or not, by timing).
std::mutex audits_mutex;
std::condition_variable audit_recorded;
int audits_pending CONCLAB_GUARDED_BY(audits_mutex) = 2;

void audit_done() {
  std::lock_guard lock(audits_mutex);
  --audits_pending;
  audit_recorded.notify_one();
}

void wait_for_audits() {
  std::unique_lock lock(audits_mutex);
  conclab::fixture::assume_held(audits_mutex);  // for tsa: unique_lock is not annotated
  while (audits_pending > 0) audit_recorded.wait(lock);
}

Order load_order(int id) { return Order{id, 1250L * id}; }

void record_audit(const Order& order) { audited_cents.fetch_add(order.amount_cents); }

// Starts the audit of one order and returns at once: the caller must not wait for it.
void audit_in_background(int order_id) {
  const Order order = load_order(order_id);
  std::thread([&] {  // & makes `order` a reference to this frame's local
    caller_returned.wait();
    record_audit(order);
    audit_done();
  }).detach();
}

int main() {
  audit_in_background(7);
  audit_in_background(8);  // its frame lands where the first call's was
  caller_returned.open();
  wait_for_audits();
  return conclab::fixture::expect_eq(audited_cents.load(), (7 + 8) * 1250, "audited cents");
}
