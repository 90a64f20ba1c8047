// Bug (fixed here): a notifier thread walked the subscribers while another thread erased alice,
//   shifting the rest under the notifier's iterator, so bob missed the message and dave got two.
// Symptom gone: every subscriber gets exactly one message.
// Fix: the notifier copies the list under a mutex and walks its own snapshot; erase takes the same
//   mutex. Deliveries run without the lock held, so a slow subscriber blocks nobody.
// Tools: release, ASan and ThreadSanitizer all report nothing.
#include <algorithm>
#include <array>
#include <mutex>
#include <thread>
#include <vector>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

enum Subscriber { alice, bob, carol, dave };

std::mutex subscribers_mutex;
std::vector<Subscriber> subscribers GUARDED_BY(subscribers_mutex){alice, bob, carol, dave};
std::array<int, 4> messages_received{};  // per subscriber; written by the notifier only

Gate first_delivered;  // the notifier has delivered to alice
Gate unsubscribed;     // alice has been erased

void unsubscribe(Subscriber who) {
  std::lock_guard lock(subscribers_mutex);
  subscribers.erase(std::find(subscribers.begin(), subscribers.end(), who));
}

// Delivers one message to everyone subscribed when it starts; pauses after the first delivery.
void notify_all() {
  std::vector<Subscriber> snapshot;
  {
    std::lock_guard lock(subscribers_mutex);
    snapshot = subscribers;
  }
  for (const Subscriber who : snapshot) {  // iterators into our own copy: nobody else erases here
    ++messages_received[who];
    if (who == alice) {
      first_delivered.open();
      unsubscribed.wait();
    }
  }
}

int main() {
  std::thread notifier(notify_all);
  std::thread leaver([] {
    first_delivered.wait();
    unsubscribe(alice);  // changes the shared list, not the notifier's snapshot
    unsubscribed.open();
  });
  notifier.join();
  leaver.join();
  return conclab::fixture::expect_eq(messages_received[bob], 1, "messages received by bob");
}
