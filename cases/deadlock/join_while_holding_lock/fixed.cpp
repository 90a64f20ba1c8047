// Bug: Heartbeat::stop() takes the mutex, clears running_ and joins the heartbeat thread while
//   still holding the mutex. The thread must take that mutex to see running_ == false and return:
//   stop() waits for the thread, the thread waits for stop()'s lock. One mutex, one join, stuck.
// Symptom: stop() hangs on every run (a gate wakes the thread for its next beat only once stop()
//   holds the lock; real code sleeps there and loses the race now and then).
// Fix: release the lock before join(): it guards running_, not the thread's lifetime.
// Tools: no detector names it: TSan's deadlock detector follows locks, not joins. conclab's hang
//   explainer does, under all three: main joins the thread, which waits for main's lock.
#include <cstdio>
#include <mutex>
#include <thread>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"

using conclab::fixture::Gate;

Gate first_beat;      // the heartbeat thread has beaten once
Gate stop_requested;  // stop() has cleared running_ and holds the mutex

class Heartbeat {
 public:
  void start() { thread_ = std::thread([this] { run(); }); }

  void stop() {
    {
      std::lock_guard lock(m_);
      running_ = false;
      stop_requested.open();
    }
    thread_.join();  // with no lock held: the thread can take m_ and see running_ == false
  }

  int beats() {
    std::lock_guard lock(m_);
    return beats_;
  }

 private:
  void run() {
    for (;;) {
      {
        std::lock_guard lock(m_);
        if (!running_) return;
        ++beats_;
      }
      first_beat.open();
      stop_requested.wait();  // stands in for sleeping until the next beat is due
    }
  }

  std::mutex m_;
  bool running_ CONCLAB_GUARDED_BY(m_) = true;
  int beats_ CONCLAB_GUARDED_BY(m_) = 0;
  std::thread thread_;
};

int main() {
  Heartbeat heartbeat;
  heartbeat.start();
  first_beat.wait();
  heartbeat.stop();
  // How many beats came first is the schedule's business (one, as the gates order it; any number
  // under stress): the program's promise is only that stop() returns.
  std::printf("heartbeats: %d\n", heartbeat.beats());
}
