// Bug: an account keeps its balance under one mutex and its list of deposits under another, so
//   deposit() updates them in two separate critical sections and an audit between them sees a
//   balance that its history does not explain.
// Symptom: the audit finds balance 150 with deposits summing to 100, on every run (gates).
// Fix: one mutex guards both, so no one can observe the state between the two updates.
// Tools: release, ASan and TSan all see only the failed audit: every access holds a lock, so
//   there is no data race for TSan to report. Race-free is not the same as correct.
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
    {
      std::lock_guard lock(balance_mutex_);
      balance_ += amount;
    }
    // The schedule: pause where a preemption would hurt most, until the audit has run.
    balance_updated.open();
    audited.wait(std::chrono::seconds(1));
    {
      std::lock_guard lock(history_mutex_);
      deposits_.push_back(amount);
    }
  }

  struct Snapshot {
    long balance;
    long deposited;
  };

  // Each field is read under its own lock; nothing ties the two reads to one moment.
  Snapshot snapshot() {
    Snapshot s{};
    {
      std::lock_guard lock(balance_mutex_);
      s.balance = balance_;
    }
    std::lock_guard lock(history_mutex_);
    s.deposited = std::accumulate(deposits_.begin(), deposits_.end(), 0L);
    return s;
  }

 private:
  std::mutex balance_mutex_;
  long balance_ CONCLAB_GUARDED_BY(balance_mutex_);
  std::mutex history_mutex_;
  std::vector<long> deposits_ CONCLAB_GUARDED_BY(history_mutex_);
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
