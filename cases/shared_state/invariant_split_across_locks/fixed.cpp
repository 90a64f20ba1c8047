// Bug (fixed here): the balance and the list of deposits had a mutex each, so deposit() updated
//   them in two critical sections and an audit between them saw an unexplained balance.
// Symptom was balance 150 against deposits summing to 100; now the audit always balances.
// Fix: one mutex guards both, held across the whole deposit and the whole snapshot: the invariant
//   "balance == sum of deposits" is only ever visible while true.
// Tools: release, ASan and TSan all report nothing.
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

Gate balance_updated;  // the depositor has updated the balance, not yet the history
Gate audited;          // the auditor has taken its snapshot

class Account {
 public:
  explicit Account(long opening_deposit) : balance_(opening_deposit), deposits_{opening_deposit} {}

  void deposit(long amount) {
    std::lock_guard lock(mutex_);
    balance_ += amount;
    // Same pause as before, but holding the lock: the auditor cannot take its snapshot now, so
    // this wait runs out its 1 s soft limit and the deposit completes first.
    balance_updated.open();
    audited.wait(std::chrono::seconds(1));
    deposits_.push_back(amount);
  }

  struct Snapshot {
    long balance;
    long deposited;
  };

  // Both fields are read under the one lock: they belong to the same moment.
  Snapshot snapshot() {
    Snapshot s{};
    std::lock_guard lock(mutex_);
    s.balance = balance_;
    s.deposited = std::accumulate(deposits_.begin(), deposits_.end(), 0L);
    return s;
  }

 private:
  std::mutex mutex_;  // guards the invariant balance_ == sum of deposits_, so both members
  long balance_ GUARDED_BY(mutex_);
  std::vector<long> deposits_ GUARDED_BY(mutex_);
};

int main() {
  Account account(100);
  Account::Snapshot seen{};
  std::thread depositor([&] { account.deposit(50); });
  std::thread auditor([&] {
    balance_updated.wait();
    seen = account.snapshot();
    audited.open();
  });
  depositor.join();
  auditor.join();
  return conclab::fixture::expect_eq(seen.balance, seen.deposited, "balance vs. sum of deposits");
}
