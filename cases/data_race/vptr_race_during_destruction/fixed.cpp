// Bug (fixed here): a base class stopped its thread in its own destructor, after ~Heartbeat had
//   run and the vptr had been switched back to BackgroundTask's, so the thread's last virtual call,
//   on_stop(), hit a pure virtual function ("pure virtual method called", SIGABRT).
// Fix: the owner calls stop() while the Heartbeat is still whole; the destructor no longer
//   stops anything, so no virtual call can overlap destruction. Every run says goodbye once.
// Tools: release, ASan and ThreadSanitizer all report nothing.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

// Runs tick() on its own thread until stopped, then on_stop() once.
class BackgroundTask {
 public:
  // Call stop() before destroying: once destruction begins, the thread's virtual calls no longer
  // reach the derived class. (A thread_ still running here makes ~thread call std::terminate.)
  virtual ~BackgroundTask() = default;

  void start() { thread_ = std::thread([this] { run(); }); }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stop_requested_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 protected:
  virtual void tick() = 0;
  virtual void on_stop() = 0;

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!stop_requested_) {
      lock.unlock();
      tick();  // a virtual call: reads the object's vptr
      lock.lock();
      wake_.wait_for(lock, std::chrono::seconds(10), [this] { return stop_requested_; });
    }
    lock.unlock();
    on_stop();  // the object is still a whole Heartbeat: stop() runs before its destructor
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_requested_ = false;
  std::thread thread_;
};

conclab::fixture::Gate first_beat;  // the task's thread has called tick() at least once
int beats = 0;
int goodbyes = 0;

class Heartbeat final : public BackgroundTask {
  void tick() override {
    ++beats;
    first_beat.open();
  }
  void on_stop() override { ++goodbyes; }  // tells the peer we are leaving
};

int main() {
  {
    Heartbeat heartbeat;
    heartbeat.start();
    first_beat.wait();
    heartbeat.stop();  // joins the thread, whose last call is Heartbeat::on_stop()
  }  // ~Heartbeat, then ~BackgroundTask: no other thread is using the object any more
  return conclab::fixture::expect_eq(goodbyes, 1, "goodbyes sent");
}
