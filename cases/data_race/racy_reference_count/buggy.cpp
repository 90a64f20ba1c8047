// Bug: a hand-rolled reference count in a plain int. The logger's release() reads the count, the
//   uploader's retain() bumps it, the logger writes back its stale count minus one: a reference is
//   lost, and the count reaches zero while main still holds the config. Symptom: it dies early.
// Fix: std::atomic<int>, with fetch_add to retain and fetch_sub(acq_rel) to release.
// Tools: ASan reports heap-use-after-free in main's Config::release(); ThreadSanitizer a data race
//   between Config::retain() and Config::release(); release prints the wrong live count.
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

  void retain() { ++refs_; }

  // Drops a reference as `if (--refs_ == 0) delete this;` does: read, subtract, write back.
  // Given gates, it pauses between the read and the write.
  void release(Gate* opened_after_read = nullptr, Gate* awaited_before_write = nullptr) {
    const int remaining = refs_ - 1;
    if (opened_after_read != nullptr) {
      opened_after_read->open();
      awaited_before_write->wait();
    }
    refs_ = remaining;  // after the pause, this erases the uploader's retain()
    if (remaining == 0) delete this;
  }

 private:
  std::string endpoint_;
  int refs_ = 1;  // the creator's reference; a plain int, shared by every thread: the bug
};

Gate logger_read_count;  // the logger's release() has read the count and not written it back
Gate uploader_retained;  // the uploader took its second reference
Gate logger_released;    // the logger wrote its stale count back

int main() {
  Config* config = new Config("https://uploads.example.com");  // main's reference
  config->retain();  // for the logger
  config->retain();  // for the uploader
  std::thread logger([config] {
    // ... logs where uploads go, then drops its reference:
    config->release(&logger_read_count, &uploader_retained);
    logger_released.open();
  });
  std::thread uploader([config] {
    logger_read_count.wait();
    config->retain();  // a second reference, for a retry of the upload
    uploader_retained.open();
    logger_released.wait();
    config->release();  // the retry is done
    config->release();  // the upload is done: the count reaches zero and deletes the config
  });
  logger.join();
  uploader.join();
  const int failed =
      conclab::fixture::expect_eq(live_configs, 1, "configs alive while main holds one");
  config->release();  // main's own reference, to an object that is already gone
  return failed;
}
