// Bug: a buyer waits for a ticket with `if (available_ == 0) returned_.wait(lock);` and takes one
//   on waking, without checking again. One returned ticket wakes every waiting buyer
//   (notify_all), and all of them take it.
// Symptom: one ticket is sold twice; the count of available tickets goes to -1 (every run).
// Fix: wait in a loop, i.e. wait with a predicate: returned_.wait(lock, [&] { return ...; }).
// Tools: release, ASan and TSan see only the program's check: every access holds the lock.
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
    if (available_ == 0 && !closed_) {  // `if`: a wake-up is taken to mean "a ticket is there"
      waiting.open();
      returned_.wait(lock);
    }
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
  int available_ CONCLAB_GUARDED_BY(mutex_) = 0;  // sold out
  bool closed_ CONCLAB_GUARDED_BY(mutex_) = false;
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
  for (Gate& gate : done) gate.wait(std::chrono::seconds(1));
  office.close();      // the buyer left without a ticket goes home
  for (std::thread& buyer : buyers) buyer.join();
  return conclab::fixture::expect_eq(got_ticket[0] + got_ticket[1], 1, "tickets sold");
}
