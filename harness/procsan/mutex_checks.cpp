// Mutexes: one in MAP_SHARED memory whose attribute is process-private (mutex_not_process_shared;
// another process's lock of it is no lock at all), a robust mutex acquired with EOWNERDEAD and
// unlocked without pthread_mutex_consistent (robust_mutex_not_recovered: every later lock fails
// with ENOTRECOVERABLE), and the first lock in a child forked from threads (fork_checks.cpp).
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>

#include <atomic>
#include <cstdint>

#include "interpose.hpp"
#include "report.hpp"

namespace conclab::procsan {
namespace {

// glibc's bit for PTHREAD_PROCESS_SHARED in a mutex's __kind (nptl's PTHREAD_MUTEX_PSHARED_BIT).
constexpr int kProcessSharedBit = 128;

// The MAP_SHARED mappings the program made, as [start, end). A fixed table, lock-free: a slot is
// claimed with a CAS on its start; a range that does not fit is not checked.
struct Range {
  std::atomic<std::uintptr_t> start{0}, end{0};
};
constexpr int kMaxRanges = 64;
Range g_shared[kMaxRanges];
std::atomic<int> g_shared_count{0};

// Addresses already reported, or locked with EOWNERDEAD and not yet made consistent.
constexpr int kMaxMarks = 64;
struct Marks {
  std::atomic<std::uintptr_t> slot[kMaxMarks]{};
  bool has(std::uintptr_t a) const noexcept {
    for (const auto& s : slot)
      if (s.load(std::memory_order_relaxed) == a) return true;
    return false;
  }
  bool add(std::uintptr_t a) noexcept {  // false when it was already there (or no room)
    if (has(a)) return false;
    for (auto& s : slot) {
      std::uintptr_t empty = 0;
      if (s.compare_exchange_strong(empty, a)) return true;
    }
    return false;
  }
  bool remove(std::uintptr_t a) noexcept {
    for (auto& s : slot) {
      std::uintptr_t expected = a;
      if (s.compare_exchange_strong(expected, 0)) return true;
    }
    return false;
  }
};
Marks g_reported_private, g_owner_dead;

void note_shared(void* start, std::size_t length) noexcept {
  const auto a = reinterpret_cast<std::uintptr_t>(start);
  for (auto& r : g_shared) {
    std::uintptr_t empty = 0;
    if (r.start.compare_exchange_strong(empty, a)) {
      r.end.store(a + length);
      g_shared_count.fetch_add(1);
      return;
    }
  }
}

void forget_shared(void* start, std::size_t length) noexcept {
  const auto a = reinterpret_cast<std::uintptr_t>(start);
  for (auto& r : g_shared)
    if (r.start.load() >= a && r.end.load() <= a + length && r.start.load() != 0) {
      r.start.store(0);
      g_shared_count.fetch_sub(1);
    }
}

bool in_shared_memory(const void* p) noexcept {
  if (g_shared_count.load(std::memory_order_relaxed) == 0) return false;
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  for (const auto& r : g_shared) {
    const auto s = r.start.load(std::memory_order_relaxed);
    if (s != 0 && a >= s && a < r.end.load(std::memory_order_relaxed)) return true;
  }
  return false;
}

void before_lock(pthread_mutex_t* m, const char* call) noexcept {
  if (child_of_threaded_fork()) report_unsafe_call_after_fork(call);
  if (in_shared_memory(m) && (m->__data.__kind & kProcessSharedBit) == 0 &&
      g_reported_private.add(reinterpret_cast<std::uintptr_t>(m))) {
    char message[512];
    Stack here;
    capture(here);
    report("mutex_not_process_shared",
           format(message, "%s on a mutex at %p in MAP_SHARED memory, initialised without "
                           "PTHREAD_PROCESS_SHARED: the other processes' locks of it exclude nobody",
                  call, static_cast<void*>(m)),
           here);
  }
}

int after_lock(pthread_mutex_t* m, int result) noexcept {
  if (result == EOWNERDEAD) g_owner_dead.add(reinterpret_cast<std::uintptr_t>(m));
  return result;
}

using lock_fn = int (*)(pthread_mutex_t*);
using timedlock_fn = int (*)(pthread_mutex_t*, const struct timespec*);
using mmap_fn = void* (*)(void*, std::size_t, int, int, int, off_t);
using munmap_fn = int (*)(void*, std::size_t);

}  // namespace
}  // namespace conclab::procsan

using namespace conclab::procsan;

extern "C" {

int pthread_mutex_lock(pthread_mutex_t* m) {
  static const auto real = next<lock_fn>("pthread_mutex_lock");
  before_lock(m, "pthread_mutex_lock");
  return after_lock(m, real(m));
}

int pthread_mutex_trylock(pthread_mutex_t* m) {
  static const auto real = next<lock_fn>("pthread_mutex_trylock");
  before_lock(m, "pthread_mutex_trylock");
  return after_lock(m, real(m));
}

int pthread_mutex_timedlock(pthread_mutex_t* m, const struct timespec* until) {
  static const auto real = next<timedlock_fn>("pthread_mutex_timedlock");
  before_lock(m, "pthread_mutex_timedlock");
  return after_lock(m, real(m, until));
}

int pthread_mutex_consistent(pthread_mutex_t* m) {
  static const auto real = next<lock_fn>("pthread_mutex_consistent");
  g_owner_dead.remove(reinterpret_cast<std::uintptr_t>(m));
  return real(m);
}

int pthread_mutex_unlock(pthread_mutex_t* m) {
  static const auto real = next<lock_fn>("pthread_mutex_unlock");
  if (g_owner_dead.remove(reinterpret_cast<std::uintptr_t>(m))) {
    char message[512];
    Stack here;
    capture(here);
    report("robust_mutex_not_recovered",
           format(message, "a robust mutex at %p, locked with EOWNERDEAD (its owner died holding it), is "
                           "unlocked without pthread_mutex_consistent(): every later lock fails with "
                           "ENOTRECOVERABLE",
                  static_cast<void*>(m)),
           here);
  }
  return real(m);
}

void* mmap(void* addr, std::size_t length, int prot, int flags, int fd, off_t offset) {
  static const auto real = next<mmap_fn>("mmap");
  void* p = real(addr, length, prot, flags, fd, offset);
  if (p != MAP_FAILED && (flags & MAP_SHARED) != 0) note_shared(p, length);
  return p;
}

void* mmap64(void* addr, std::size_t length, int prot, int flags, int fd, off_t offset) {
  return mmap(addr, length, prot, flags, fd, offset);
}

int munmap(void* addr, std::size_t length) {
  static const auto real = next<munmap_fn>("munmap");
  forget_shared(addr, length);
  return real(addr, length);
}

}  // extern "C"
