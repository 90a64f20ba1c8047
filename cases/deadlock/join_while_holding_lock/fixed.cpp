// Bug (fixed here): stop() joined the heartbeat thread while holding the mutex that the thread
//   needed to see running_ == false, so each waited for the other forever.
// Symptom was a hang in stop(); now stop() returns after one heartbeat.
// Fix: the lock covers only the write of running_ and is released before join(): never block on
//   another thread while holding a lock that thread may need.
// Tools: release, ASan and TSan report nothing.
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
  bool running_ GUARDED_BY(m_) = true;
  int beats_ GUARDED_BY(m_) = 0;
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
