// Bug: two threads split their own CSV records with strtok(), which keeps its place between calls
//   in one hidden static pointer for the whole process: a thread's strtok(nullptr, ",") can carry
//   on through the OTHER thread's record. Symptom: order 1001 gets bob's quantity, 25.
// Fix: strtok_r(), which keeps its place in a variable each caller owns.
// Tools: release and ASan show only the wrong result. ThreadSanitizer cannot see the hidden pointer
//   (inside libc) but reports a data race in strtok(): the token it hands A lies in B's line.
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

struct Order {
  long id = 0;
  std::string customer;
  long quantity = 0;
};

// Parses "id,customer,quantity". Given gates, it pauses after reading the id.
Order parse_order(std::string line, Gate* opened_after_id, Gate* awaited_after_id) {
  Order order;
  char* rest = nullptr;  // where the next strtok_r call continues: this call's own line
  const char* field = strtok_r(line.data(), ",", &rest);  // writes '\0's, hence a copy of the line
  if (field == nullptr) return order;
  order.id = std::atol(field);
  if (opened_after_id != nullptr) {
    opened_after_id->open();
    awaited_after_id->wait();
  }
  if ((field = strtok_r(nullptr, ",", &rest)) == nullptr) return order;
  order.customer = field;
  if ((field = strtok_r(nullptr, ",", &rest)) == nullptr) return order;
  order.quantity = std::atol(field);
  return order;
}

Gate alice_has_id;  // thread A has parsed alice's id and paused
Gate bob_has_id;    // thread B has parsed bob's id
Gate alice_done;    // thread A has finished

int main() {
  Order alice, bob;
  std::thread a([&] {
    alice = parse_order("1001,alice,3", &alice_has_id, &bob_has_id);
    alice_done.open();
  });
  std::thread b([&] {
    alice_has_id.wait();
    bob = parse_order("1002,bob,25", &bob_has_id, &alice_done);
  });
  a.join();
  b.join();
  return conclab::fixture::expect_eq(alice.quantity, 3, "quantity of order 1001 (alice)");
}
