// Bug: transfer(from, to) locks from, then to; transfer(alice, bob) and transfer(bob, alice) at
//   once can each hold one lock and wait forever for the other (an ABBA deadlock).
// Symptom: --schedule=deadly hangs every run; the default schedule runs them one after the other.
// Fix: std::scoped_lock takes both locks in one step, never waiting while holding just one.
// Tools: TSan reports lock-order-inversion from the default run, which did NOT hang; release and
//   ASan hang under --schedule=deadly, which conclab's hang explainer reports as a deadlock.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string_view>
#include <thread>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

struct Account {
  std::mutex m;
  long balance CONCLAB_GUARDED_BY(m) = 100;
};

Account alice, bob;

// Moves `amount` between the accounts. Given a `holding` gate (deadly schedule), it opens it once
// it holds a lock and waits (at most a second) for the other transfer to hold one too.
void transfer(Account& from, Account& to, long amount, Gate* holding, Gate* other_holding) {
  std::lock_guard first(from.m);
  if (holding != nullptr) {
    holding->open();
    other_holding->wait(std::chrono::seconds(1));
  }
  std::lock_guard second(to.m);  // deadly schedule: the other thread holds this one and wants ours
  from.balance -= amount;
  to.balance += amount;
}

int main(int argc, char** argv) {
  const bool deadly = argc == 2 && std::string_view(argv[1]) == "--schedule=deadly";
  if (argc > 1 && !deadly) {
    std::fprintf(stderr, "usage: %s [--schedule=deadly]\n", argv[0]);
    return 2;
  }
  Gate first_done, alice_to_bob_holding, bob_to_alice_holding;
  std::thread alice_to_bob([&] {
    transfer(alice, bob, 30, deadly ? &alice_to_bob_holding : nullptr, &bob_to_alice_holding);
    first_done.open();
  });
  std::thread bob_to_alice([&] {
    if (!deadly) first_done.wait();  // default schedule: strictly after the first transfer
    transfer(bob, alice, 20, deadly ? &bob_to_alice_holding : nullptr, &alice_to_bob_holding);
  });
  alice_to_bob.join();
  bob_to_alice.join();
  std::scoped_lock lock(alice.m, bob.m);  // the balances are CONCLAB_GUARDED_BY their mutexes
  conclab::fixture::assume_held(alice.m);  // for tsa: libc++ 14 annotates scoped_lock of one mutex only
  conclab::fixture::assume_held(bob.m);
  if (int failed = conclab::fixture::expect_eq(alice.balance, 90, "alice's balance")) return failed;
  return conclab::fixture::expect_eq(bob.balance, 110, "bob's balance");
}
