// Bug: a hand-rolled reference count in a plain int. The logger's release() reads the count, the
//   uploader's retain() bumps it, the logger writes back its stale count minus one: a reference is
//   lost, and the count reaches zero while main still holds the config. Symptom: it dies early.
// Fix: std::atomic<int>, with fetch_add to retain and fetch_sub(acq_rel) to release.
// Tools: ASan reports heap-use-after-free in main's Config::release(); ThreadSanitizer a data race
//   between Config::retain() and Config::release(); release prints the wrong live count.
#include <atomic>
#include <string>
#include <thread>
#include <utility>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

int live_configs = 0;

// Shared by reference counting, the way C libraries and COM objects do it.
class Config {
 public:
  explicit Config(std::string endpoint) : endpoint_(std::move(endpoint)) { ++live_configs; }
  ~Config() { --live_configs; }

  const std::string& endpoint() const { return endpoint_; }

  // Relaxed: whoever retains already holds a reference, so the object cannot go away meanwhile.
  void retain() { refs_.fetch_add(1, std::memory_order_relaxed); }

  // Drops a reference in one indivisible step. Given gates, it pauses right after it.
  void release(Gate* opened_after_decrement = nullptr, Gate* awaited_after_decrement = nullptr) {
    // acq_rel: release publishes this owner's uses of the object; the acquire side lets the
    // thread that reaches zero see all of them before it deletes.
    const int previous = refs_.fetch_sub(1, std::memory_order_acq_rel);
    if (opened_after_decrement != nullptr) {
      opened_after_decrement->open();
      awaited_after_decrement->wait();
    }
    if (previous == 1) delete this;
  }

 private:
  std::string endpoint_;
  std::atomic<int> refs_{1};  // the creator's reference
};

Gate logger_decremented;  // the logger's release() has decremented the count
Gate uploader_retained;   // the uploader took its second reference
Gate logger_released;     // the logger's release() has returned

int main() {
  Config* config = new Config("https://uploads.example.com");  // main's reference
  config->retain();  // for the logger
  config->retain();  // for the uploader
  std::thread logger([config] {
    // ... logs where uploads go, then drops its reference:
    config->release(&logger_decremented, &uploader_retained);
    logger_released.open();
  });
  std::thread uploader([config] {
    logger_decremented.wait();
    config->retain();  // a second reference, for a retry of the upload
    uploader_retained.open();
    logger_released.wait();
    config->release();  // the retry is done
    config->release();  // the upload is done; main still holds a reference
  });
  logger.join();
  uploader.join();
  const int failed =
      conclab::fixture::expect_eq(live_configs, 1, "configs alive while main holds one");
  config->release();  // main's own reference, the last one: deletes the config
  return failed;
}
