// Bug: move_user(from, to) locks the room the user leaves, then the room they join. Alice moves
//   lobby -> games while Bob moves games -> lobby: each mover holds one room's lock and waits
//   forever for the other's (an ABBA deadlock). The heartbeat thread takes no lock: it ticks on.
// Symptom: hangs on every run (gates make both movers hold their first room before either goes
//   on), while the process looks alive: its heartbeat counts a beat every 10 ms, forever.
// Fix: std::scoped_lock takes both rooms' locks in one step, never waiting while holding one.
// Tools: no detector reports a deadlock that never ends; conclab's hang explainer finds the
//   movers' cycle while the heartbeat runs: a deadlock under release, TSan and ASan.
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;
using namespace std::chrono_literals;

struct Room {
  std::mutex m;
  int users CONCLAB_GUARDED_BY(m) = 1;
};

Room lobby, games;

// Beats every 10 ms until told to stop, as a liveness probe does. A beat proves that this thread
// runs, and nothing about the others.
void heartbeat(const std::atomic<bool>& stop, std::atomic<long>& beats) {
  while (!stop.load()) {
    beats.fetch_add(1);
    std::this_thread::sleep_for(10ms);
  }
}

// Moves one user from `from` to `to`. Once it holds its locks it opens `holding` and waits (at
// most a second) for the other mover to hold one too, which it now cannot: it waits out the limit.
void move_user(Room& from, Room& to, Gate& holding, Gate& other_holding) {
  std::scoped_lock leaving_and_joining(from.m, to.m);  // both, or wait holding neither
  conclab::fixture::assume_held(from.m);  // for tsa: libc++ 14 annotates scoped_lock of one mutex only
  conclab::fixture::assume_held(to.m);
  holding.open();
  other_holding.wait(1s);  // the other mover waits holding nothing: no gate opens until we let go
  --from.users;
  ++to.users;
}

int main() {
  std::atomic<bool> stop_heartbeat{false};
  std::atomic<long> beats{0};
  std::thread beat(heartbeat, std::cref(stop_heartbeat), std::ref(beats));
  Gate alice_holds_one, bob_holds_one;
  std::thread alice([&] { move_user(lobby, games, alice_holds_one, bob_holds_one); });
  std::thread bob([&] { move_user(games, lobby, bob_holds_one, alice_holds_one); });
  alice.join();
  bob.join();
  stop_heartbeat = true;
  beat.join();
  std::scoped_lock lock(lobby.m, games.m);  // the head counts are CONCLAB_GUARDED_BY their mutexes
  conclab::fixture::assume_held(lobby.m);  // for tsa: libc++ 14 annotates scoped_lock of one mutex only
  conclab::fixture::assume_held(games.m);
  if (int failed = conclab::fixture::expect_eq(lobby.users, 1, "users in the lobby")) return failed;
  return conclab::fixture::expect_eq(games.users, 1, "users in the games room");
}
