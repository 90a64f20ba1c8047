// Bug: EventBus::publish() holds the bus's mutex while it calls each handler. A handler that
//   subscribes another one (here: page the on-call at the first "disk full") calls subscribe(),
//   which locks the same mutex: the publishing thread waits forever for a lock it holds itself.
// Symptom: the monitor thread hangs on its first alert, every run, and main waits for it forever.
// Fix: copy the handler list under the lock and call the copies with no lock held.
// Tools: no detector names it: TSan looks for a double lock only once a lock call returns, and
//   this one never does. conclab's hang explainer names the cycle of one under all three.
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
  std::vector<Handler> handlers_ CONCLAB_GUARDED_BY(m_);
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
