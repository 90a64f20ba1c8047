// Bug: a notifier thread walks the subscribers (range-for over a std::vector) while another thread
//   unsubscribes alice. erase() shifts everyone after her one slot to the left, under the
//   notifier's iterator. Symptom: bob, who never unsubscribed, misses the message; dave gets two.
// Fix: the notifier copies the list under a mutex and walks the copy; erase takes the mutex too.
// Tools: release and ASan print a wrong result (no memory is freed, so ASan has nothing to see);
//   ThreadSanitizer reports a data race between erase() in unsubscribe() and the notifier's read.
#include <algorithm>
#include <array>
#include <thread>
#include <vector>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

enum Subscriber { alice, bob, carol, dave };

std::vector<Subscriber> subscribers{alice, bob, carol, dave};
std::array<int, 4> messages_received{};  // per subscriber; written by the notifier only

Gate first_delivered;  // the notifier has delivered to alice and holds an iterator to her slot
Gate unsubscribed;     // alice has been erased

void unsubscribe(Subscriber who) {
  subscribers.erase(std::find(subscribers.begin(), subscribers.end(), who));
}

// Delivers one message to every subscriber; pauses after the first delivery.
void notify_all() {
  for (const Subscriber who : subscribers) {  // begin() and end() are taken once, up front
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
    unsubscribe(alice);  // bob moves into alice's slot, which the notifier has already passed
    unsubscribed.open();
  });
  notifier.join();
  leaver.join();
  return conclab::fixture::expect_eq(messages_received[bob], 1, "messages received by bob");
}
