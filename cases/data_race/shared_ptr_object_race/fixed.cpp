// Bug: the reloader assigns the global std::shared_ptr `current_config` while a request thread
//   copies it. The reference count is atomic, the shared_ptr object is not: the copy catches it
//   half-assigned, with the new pointer and the old control block (gates force it every run).
// Symptom: the old config is destroyed twice: open connections after shutdown: expected 0, got -4.
// Fix: std::atomic<std::shared_ptr<const Config>>: load and store never see half an assignment.
// Tools: release and ASan print the wrong result; TSan a data race, then a heap-use-after-free.
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

std::atomic<int> open_connections{0};

Gate retiring;        // the reloader is inside the old config's destructor
Gate request_served;  // the request thread has copied, used and dropped its config

class Config {
 public:
  Config(int version, int pool_size) : version_(version), pool_size_(pool_size) {
    open_connections += pool_size_;  // opens the pool
  }
  ~Config() {
    open_connections -= pool_size_;  // closes the pool
    // Closing a pool takes a while; the gates make a request arrive meanwhile. They are one-shot:
    // only the first config to retire waits.
    if (!retiring.wait(std::chrono::milliseconds(0))) {
      retiring.open();
      request_served.wait(std::chrono::seconds(1));
    }
  }
  int version() const { return version_; }

 private:
  int version_;
  int pool_size_;
};

std::atomic<std::shared_ptr<const Config>> current_config{std::make_shared<const Config>(1, 4)};

void install(const std::shared_ptr<const Config>& next) {
  // Swaps in the new pointer and control block together; the old config is released afterwards,
  // so its destructor runs with current_config already whole.
  current_config.store(next);
}

int serve_request() {
  std::shared_ptr<const Config> config = current_config.load();  // pointer and block, together
  return config->version();
}

int main() {
  std::thread reloader([] { install(std::make_shared<const Config>(2, 4)); });
  int served_version = 0;
  std::thread request([&] {
    retiring.wait();
    served_version = serve_request();
    request_served.open();
  });
  reloader.join();
  request.join();
  current_config.store(nullptr);  // shutdown: closes the last pool
  if (int failed = conclab::fixture::expect_eq(served_version, 2, "version served")) return failed;
  return conclab::fixture::expect_eq(open_connections, 0, "open connections after shutdown");
}
