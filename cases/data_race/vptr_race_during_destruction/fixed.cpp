// Bug: a base class runs a thread that calls virtual tick() and, when stopped, on_stop(), and it
//   stops that thread in its own destructor. By then ~Heartbeat has run and the object's vptr has
//   been switched back to BackgroundTask's, whose on_stop() is pure virtual.
// Symptom: "pure virtual method called", then std::terminate: SIGABRT on every run.
// Fix: stop() the thread while the Heartbeat is still whole, before destruction begins.
// Tools: ThreadSanitizer reports a data race on vptr in ~BackgroundTask; release and ASan abort.
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
