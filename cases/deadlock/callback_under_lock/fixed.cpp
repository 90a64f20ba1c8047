// Bug (fixed here): publish() held the bus's mutex while it called the handlers, so a handler
//   that subscribed another one locked the same mutex again and waited forever for itself.
// Symptom was a hang at the first alert; now the pager joins and hears the second alert.
// Fix: publish() copies the handler list under the lock and calls the copies with no lock held:
//   a handler may subscribe, or publish, or take any other lock, without meeting ours.
// Tools: release, ASan and TSan report nothing.
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "conclab/annotations.hpp"
#include "conclab/invariant.hpp"

class EventBus {
 public:
  using Handler = std::function<void(const std::string& event)>;

  void subscribe(Handler handler) {
    std::lock_guard lock(m_);
    handlers_.push_back(std::move(handler));
  }

  void publish(const std::string& event) {
    std::vector<Handler> snapshot;
    {
      std::lock_guard lock(m_);
      snapshot = handlers_;  // a handler subscribed meanwhile hears the next event, not this one
    }
    for (const Handler& handler : snapshot) handler(event);  // foreign code, run with no lock held
  }

 private:
  std::mutex m_;
  std::vector<Handler> handlers_ GUARDED_BY(m_);
};

int main() {
  EventBus bus;
  bool paging = false;  // both only touched by the monitor thread, which runs the handlers
  int pages = 0;
  bus.subscribe([&](const std::string& event) {
    if (event != "disk full" || paging) return;
    paging = true;  // escalate: from now on, every alert also pages the on-call
    bus.subscribe([&](const std::string&) { ++pages; });
  });
  std::thread monitor([&] {
    bus.publish("disk full");
    bus.publish("disk full");
  });
  monitor.join();
  return conclab::fixture::expect_eq(pages, 1, "pages sent");
}
