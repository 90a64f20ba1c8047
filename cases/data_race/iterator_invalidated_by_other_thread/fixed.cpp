// Bug: a notifier thread walks the subscribers (range-for over a std::vector) while another thread
//   unsubscribes alice. erase() shifts everyone after her one slot to the left, under the
//   notifier's iterator. Symptom: bob, who never unsubscribed, misses the message; dave gets two.
// Fix: the notifier copies the list under a mutex and walks the copy; erase takes the mutex too.
// Tools: release and ASan print a wrong result (no memory is freed, so ASan has nothing to see);
//   ThreadSanitizer reports a data race between erase() in unsubscribe() and the notifier's read.
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
std::vector<Subscriber> subscribers CONCLAB_GUARDED_BY(subscribers_mutex){alice, bob, carol, dave};
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
