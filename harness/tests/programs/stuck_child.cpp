// Programs that get stuck on demand, for the hang explainer's tests. Each mode is one way to stop
// for good (or, for the last three, one way that must NOT be mistaken for it):
//   abba | self-lock | shared-upgrade | lost-wakeup | pipes-full | wait-before-drain |
//   reader-holds-write-end | socket-both-read | socket-read-beside-server | shared-abba | owner-died | spin | brief-wait | sleep
// and the same beside threads that keep running (a cycle among some threads is still a deadlock):
//   abba-heartbeat | abba-pool | pipes-full-logger | lost-wakeup-heartbeat | long-wait-heartbeat
// and, for harness/bench: abba-beside N (ABBA beside N ticking threads) | tickers N (only those)
#include <pthread.h>
#include <sys/mman.h>
#include <cstdio>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

void abba() {
  std::mutex a, b;
  std::latch both_hold_one(2);
  auto take = [&](std::mutex& first, std::mutex& second) {
    std::lock_guard l1(first);
    both_hold_one.arrive_and_wait();
    std::lock_guard l2(second);
  };
  std::thread t1(take, std::ref(a), std::ref(b)), t2(take, std::ref(b), std::ref(a));
  t1.join();
  t2.join();
}

void self_lock() {
  std::mutex m;
  std::lock_guard outer(m);
  std::lock_guard inner(m);
}

void shared_upgrade() {
  std::shared_mutex m;
  std::shared_lock reading(m);
  std::unique_lock writing(m);
}

void lost_wakeup() {
  std::mutex m;
  std::condition_variable cv;
  cv.notify_one();  // nobody waits yet: the notification is lost
  std::thread waiter([&] {
    std::unique_lock lock(m);
    cv.wait(lock);  // no predicate: waits for a notification that already happened
  });
  waiter.join();
}

// Writes 1 MiB to fd: far more than a pipe buffer holds.
void flood(int fd) {
  const std::vector<char> block(1 << 20, 'x');
  (void)!::write(fd, block.data(), block.size());
}

void pipes_full() {
  int to_child[2], to_parent[2];
  if (::pipe(to_child) != 0 || ::pipe(to_parent) != 0) return;
  if (::fork() == 0) {
    ::close(to_child[1]);
    ::close(to_parent[0]);
    flood(to_parent[1]);  // writes before reading, like its parent
    std::_Exit(0);
  }
  ::close(to_child[0]);
  ::close(to_parent[1]);
  flood(to_child[1]);
}

void wait_before_drain() {
  int out[2];
  if (::pipe(out) != 0) return;
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(out[0]);
    flood(out[1]);
    std::_Exit(0);
  }
  ::close(out[1]);
  ::waitpid(child, nullptr, 0);  // the child cannot exit until someone drains its output
}

void reader_holds_write_end() {
  int out[2];
  if (::pipe(out) != 0) return;
  if (::fork() == 0) {
    (void)!::write(out[1], "hello\n", 6);
    std::_Exit(0);
  }
  char buffer[64];
  while (::read(out[0], buffer, sizeof buffer) > 0) {  // EOF never comes: we hold out[1] ourselves
  }
}

// A child that waits for a request on pair[1] before replying; the parent keeps pair[0].
void start_replier(int pair[2]) {
  if (::fork() == 0) {
    ::close(pair[0]);
    char request[16];
    (void)!::read(pair[1], request, sizeof request);  // waits for a request before replying
    std::_Exit(0);
  }
  ::close(pair[1]);
}

void socket_both_read() {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) return;
  start_replier(pair);
  char reply[16];
  (void)!::read(pair[0], reply, sizeof reply);  // waits for a reply before asking
}

// socket-both-read beside a third process that holds a socket of its own and keeps running: only
// the kernel's peer (sock_diag) tells that it cannot end either read.
void socket_read_beside_server() {
  int pair[2], server[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) return;
  start_replier(pair);
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, server) != 0) return;
  if (::fork() == 0) {
    ::close(pair[0]);
    ::close(server[0]);
    for (;;) std::this_thread::sleep_for(10ms);  // a server that is busy with other clients
  }
  ::close(server[1]);
  char reply[16];
  (void)!::read(pair[0], reply, sizeof reply);  // waits for a reply before asking
}

// Asks a server outside the run (a UNIX socket at `path`) and waits for its slow answer: a test
// against a service, which the hang explainer must not call stuck.
int read_outside_peer(const char* path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return 65;
  char answer = 0;
  return ::read(fd, &answer, 1) == 1 ? 0 : 66;
}

// Two process-shared mutexes in MAP_SHARED memory, taken in opposite orders by parent and child.
struct SharedLocks {
  pthread_mutex_t a, b;
  std::atomic<int> holding{0};
};

SharedLocks* make_shared_locks(bool robust) {
  void* memory = mmap(nullptr, sizeof(SharedLocks), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  auto* locks = new (memory) SharedLocks;
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  if (robust) pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_STALLED);
  pthread_mutex_init(&locks->a, &attr);
  pthread_mutex_init(&locks->b, &attr);
  return locks;
}

void shared_abba() {
  auto* locks = make_shared_locks(false);
  const bool child = fork() == 0;
  pthread_mutex_t* first = child ? &locks->b : &locks->a;
  pthread_mutex_t* second = child ? &locks->a : &locks->b;
  pthread_mutex_lock(first);
  locks->holding.fetch_add(1);
  while (locks->holding.load() < 2) std::this_thread::yield();
  pthread_mutex_lock(second);
}

// A process dies holding a process-shared mutex; its sibling waits for it forever.
void owner_died() {
  auto* locks = make_shared_locks(false);
  if (fork() == 0) {
    pthread_mutex_lock(&locks->a);
    _exit(0);
  }
  wait(nullptr);
  pthread_mutex_lock(&locks->a);
}

void brief_wait() {
  std::mutex m;
  std::condition_variable cv;
  bool ready = false;
  std::thread worker([&] {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return ready; });
  });
  std::this_thread::sleep_for(600ms);  // longer than the hang window: sleeping is not being stuck
  {
    std::lock_guard lock(m);
    ready = true;
  }
  cv.notify_one();
  worker.join();
}

// Beats until the process ends (or `stop` is set): a thread that never stops running.
void heartbeat(const std::atomic<bool>& stop) {
  for (unsigned long beats = 0; !stop.load(); ++beats) std::this_thread::sleep_for(10ms);
}

void abba_heartbeat() {
  static std::atomic<bool> never{false};
  std::thread(heartbeat, std::cref(never)).detach();
  abba();
}

// Four pool workers polling an empty queue with wait_for(100 ms), as idle pools do, beside ABBA.
void abba_pool() {
  static std::mutex queue_mutex;
  static std::condition_variable queue_changed;
  for (int i = 0; i < 4; ++i)
    std::thread([] {
      std::unique_lock lock(queue_mutex);
      for (;;) queue_changed.wait_for(lock, 100ms);
    }).detach();
  abba();
}

void pipes_full_logger() {
  static std::atomic<bool> never{false};
  int to_child[2], to_parent[2];
  if (::pipe(to_child) != 0 || ::pipe(to_parent) != 0) return;
  if (::fork() == 0) {
    ::close(to_child[1]);
    ::close(to_parent[0]);
    flood(to_parent[1]);
    std::_Exit(0);
  }
  std::thread(heartbeat, std::cref(never)).detach();  // the parent's logger, after the fork
  ::close(to_child[0]);
  ::close(to_parent[1]);
  flood(to_child[1]);
}

void lost_wakeup_heartbeat() {
  static std::atomic<bool> never{false};
  std::thread(heartbeat, std::cref(never)).detach();
  lost_wakeup();
}

// A correct program: a thread waits 1.5 s for a mutex a sleeping thread holds, beside a heartbeat.
void long_wait_heartbeat() {
  std::atomic<bool> done{false};
  std::thread beat(heartbeat, std::cref(done));
  std::mutex m;
  std::latch held(1);
  std::thread holder([&] {
    std::lock_guard lock(m);
    held.count_down();
    std::this_thread::sleep_for(1500ms);
  });
  held.wait();
  std::thread waiter([&] { std::lock_guard lock(m); });
  holder.join();
  waiter.join();
  done = true;
  beat.join();
}

void start_tickers(int count) {
  static std::atomic<bool> never{false};
  for (int i = 0; i < count; ++i) std::thread(heartbeat, std::cref(never)).detach();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc > 1 ? argv[1] : "";
  if (mode == "abba") abba();
  else if (mode == "self-lock") self_lock();
  else if (mode == "shared-upgrade") shared_upgrade();
  else if (mode == "lost-wakeup") lost_wakeup();
  else if (mode == "pipes-full") pipes_full();
  else if (mode == "wait-before-drain") wait_before_drain();
  else if (mode == "reader-holds-write-end") reader_holds_write_end();
  else if (mode == "socket-both-read") socket_both_read();
  else if (mode == "socket-read-beside-server") socket_read_beside_server();
  else if (mode == "read-outside-peer" && argc > 2) return read_outside_peer(argv[2]);
  else if (mode == "shared-abba") shared_abba();
  else if (mode == "owner-died") owner_died();
  else if (mode == "spin") for (std::atomic<unsigned long> spins{0};;) spins.fetch_add(1, std::memory_order_relaxed);
  else if (mode == "brief-wait") brief_wait();
  else if (mode == "sleep") std::this_thread::sleep_for(100s);
  else if (mode == "abba-heartbeat") abba_heartbeat();
  else if (mode == "abba-pool") abba_pool();
  else if (mode == "pipes-full-logger") pipes_full_logger();
  else if (mode == "lost-wakeup-heartbeat") lost_wakeup_heartbeat();
  else if (mode == "long-wait-heartbeat") long_wait_heartbeat();
  else if (mode == "abba-beside" && argc > 2) {
    start_tickers(std::atoi(argv[2]));
    abba();
  } else if (mode == "tickers" && argc > 2) {
    start_tickers(std::atoi(argv[2]));
    std::this_thread::sleep_for(100s);
  }
  else return 64;
  return 0;
}
