// Bug: a dispatcher and the worker it forks share a job queue in MAP_SHARED memory, guarded by a
//   pthread_mutex_t initialised with default attributes: process-private. glibc then sleeps and
//   wakes with FUTEX_*_PRIVATE, keyed by the address space, so an unlock never wakes the other.
// Symptom: the worker sleeps in pthread_mutex_lock() forever, the dispatcher in waitpid(): a hang.
// Fix: pthread_mutexattr_setpshared(PTHREAD_PROCESS_SHARED) before pthread_mutex_init().
// Tools: no detector looks at futex keys or across processes; conclab reports a hang.
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <new>
#include <string>
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

// One page shared by the dispatcher and the worker.
struct JobQueue {
  pthread_mutex_t lock;
  int pending = 0;        // jobs queued and not taken yet, guarded by lock
  Gate dispatcher_holds;  // the schedule: the dispatcher holds the lock
};

// The schedule: returns once `pid` sleeps in the kernel waiting for `mutex` (glibc sets the lock
// word to 2, "contended", then calls futex wait; state S), or after a soft limit of 2 s.
void wait_until_asleep_on(const pthread_mutex_t& mutex, pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  const std::string task = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string stat;  // "pid (name) S ...": the state follows the name
    std::getline(std::ifstream(task + "/stat"), stat);
    const std::size_t name_end = stat.rfind(')');
    const char state = name_end != std::string::npos ? stat[name_end + 2] : '?';
    if (__atomic_load_n(&mutex.__data.__lock, __ATOMIC_RELAXED) == 2 && state == 'S') return;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
}

int main() {
  void* page = mmap(nullptr, sizeof(JobQueue), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                    -1, 0);
  if (page == MAP_FAILED) return 2;
  JobQueue* queue = new (page) JobQueue;
  pthread_mutexattr_t shared;
  pthread_mutexattr_init(&shared);
  pthread_mutexattr_setpshared(&shared, PTHREAD_PROCESS_SHARED);  // waits and wakes cross processes
  pthread_mutex_init(&queue->lock, &shared);
  pthread_mutexattr_destroy(&shared);
  const pid_t worker = fork();
  if (worker < 0) return 2;
  if (worker == 0) {  // the worker: takes every pending job, reports how many as its exit status
    queue->dispatcher_holds.wait();
    pthread_mutex_lock(&queue->lock);  // contended: sleeps until the dispatcher's unlock wakes it
    const int taken = queue->pending;
    queue->pending = 0;
    pthread_mutex_unlock(&queue->lock);
    _exit(taken);
  }
  pthread_mutex_lock(&queue->lock);
  queue->pending = 3;
  queue->dispatcher_holds.open();
  wait_until_asleep_on(queue->lock, worker);
  pthread_mutex_unlock(&queue->lock);  // FUTEX_WAKE (shared): wakes the worker
  int status = 0;
  waitpid(worker, &status, 0);
  munmap(page, sizeof(JobQueue));
  return conclab::fixture::expect_eq(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 3,
                                     "jobs the worker took");
}
