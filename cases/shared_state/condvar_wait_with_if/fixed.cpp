// Bug (fixed here): a buyer waited with `if (available_ == 0) returned_.wait(lock);` and took a
//   ticket on waking without checking again, so one returned ticket went to every waiting buyer.
// Symptom was a ticket sold twice; now exactly one buyer gets it and the other goes home.
// Fix: wait with a predicate. wait(lock, pred) is `while (!pred()) wait(lock);`: every wake-up,
//   from notify_all, a spurious one or a stolen ticket, re-checks the condition under the lock.
// Tools: release, ASan and TSan all report nothing.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

class BoxOffice {
 public:
  // Takes a ticket, waiting for one to come back when none is left; false once sales close.
  // `waiting` is opened while the lock is still held, right before the wait releases it.
  bool buy(Gate& waiting) {
    std::unique_lock lock(mutex_);
    conclab::fixture::assume_held(mutex_);  // for tsa: libc++'s unique_lock is not annotated
    if (available_ == 0 && !closed_) waiting.open();
    // Woken, the buyer checks again: another may have taken the ticket first.
    returned_.wait(lock, [this]() REQUIRES(mutex_) { return available_ > 0 || closed_; });
    if (closed_ && available_ == 0) return false;  // sales closed, no ticket left: go home
    --available_;
    return true;
  }

  void give_back() {
    std::lock_guard lock(mutex_);
    ++available_;
    returned_.notify_all();  // any buyer may be the one to get it
  }

  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    returned_.notify_all();
  }

 private:
  std::mutex mutex_;
  int available_ GUARDED_BY(mutex_) = 0;  // sold out
  bool closed_ GUARDED_BY(mutex_) = false;
  std::condition_variable returned_;
};

int main() {
  BoxOffice office;
  Gate waiting[2], done[2];
  bool got_ticket[2] = {};
  std::thread buyers[2];
  for (int i = 0; i < 2; ++i) {
    buyers[i] = std::thread([&, i] {
      got_ticket[i] = office.buy(waiting[i]);
      done[i].open();
    });
  }
  for (Gate& gate : waiting) gate.wait();
  office.give_back();  // takes the lock: both buyers are inside wait() by now
  for (Gate& gate : done) gate.wait(std::chrono::seconds(1));  // one buyer waits on: 1 s
  office.close();      // the buyer left without a ticket goes home
  for (std::thread& buyer : buyers) buyer.join();
  return conclab::fixture::expect_eq(got_ticket[0] + got_ticket[1], 1, "tickets sold");
}
