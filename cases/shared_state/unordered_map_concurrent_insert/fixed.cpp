// Bug: two threads insert into one std::unordered_map with no lock. One bulk import grows the
//   table (a rehash relinks every node into a new bucket array) while a login inserts its session
//   into the old buckets; the rehash finishes over the top of that insert.
// Symptom: the login's session is lost: size() counts it, find() cannot see it (every run: gates).
// Fix: one mutex around every access to the map.
// Tools: release and ASan see only the program's failed check (no invalid memory is touched);
//   TSan reports a data race inside the hashtable, under login() and import_sessions().
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

Gate rehashing;   // the importer is in the middle of a rehash
Gate logged_in;   // the login's insert has returned
thread_local bool pause_in_next_hash = false;

// The hash function is the only code of ours that a rehash calls, so it is where the schedule
// stops the importer in the middle of one. (noexcept keeps the table from caching hash codes, so
// the rehash really calls it; a real preemption can land anywhere.)
struct UserIdHash {
  std::size_t operator()(int user_id) const noexcept {
    if (pause_in_next_hash) {
      pause_in_next_hash = false;
      rehashing.open();
      logged_in.wait(std::chrono::seconds(1));
    }
    return std::hash<int>{}(user_id);
  }
};

std::mutex sessions_mutex;
std::unordered_map<int, std::string, UserIdHash> sessions CONCLAB_GUARDED_BY(sessions_mutex);  // id -> token

void import_sessions(const std::vector<int>& user_ids) {
  std::lock_guard lock(sessions_mutex);  // for the whole import: the login waits out the rehash
  sessions.reserve(sessions.size() + user_ids.size());  // one rehash up front, not several
  for (int id : user_ids) sessions.emplace(id, "imported-" + std::to_string(id));
}

void login(int user_id) {
  std::lock_guard lock(sessions_mutex);
  sessions.emplace(user_id, "fresh-" + std::to_string(user_id));
}

int main() {
  {
    std::lock_guard lock(sessions_mutex);  // no other thread yet, but CONCLAB_GUARDED_BY asks for it
    for (int id = 1; id <= 8; ++id) sessions.emplace(id, "restored-" + std::to_string(id));
  }
  std::thread importer([] {
    pause_in_next_hash = true;  // the first hash the import computes is inside reserve's rehash
    import_sessions({101, 102, 103, 104, 105, 106, 107, 108});
  });
  std::thread user([] {
    rehashing.wait();
    login(1000);
    logged_in.open();
  });
  importer.join();
  user.join();
  std::lock_guard lock(sessions_mutex);
  long found = 0;
  for (int id : {1, 2, 3, 4, 5, 6, 7, 8, 1000, 101, 102, 103, 104, 105, 106, 107, 108}) found += sessions.contains(id);
  return conclab::fixture::expect_eq(found, static_cast<long>(sessions.size()), "sessions found");
}
