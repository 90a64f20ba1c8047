// Bug: four worker processes add their orders to a ledger in shared memory under a process-shared
//   mutex. Worker 2 dies of SIGSEGV inside the critical section (a null price: "figs" left the
//   catalog) while holding the mutex, and nobody will ever unlock it now.
// Symptom: the others wait in pthread_mutex_lock forever, the parent waits for them: hangs, always.
// Fix: a robust mutex: the next locker gets EOWNERDEAD, rolls the half-done batch back, goes on.
// Tools: no detector sees it; conclab reports a hang (the mutex's owner is dead, nobody can wake).
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <new>
#include <string_view>
#include <vector>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

struct Order { const char* sku; long quantity; };
constexpr int kWorkers = 4;
constexpr int kCrashingWorker = 2;
const std::vector<Order> kBatches[kWorkers] = {
    {{"apple", 3}, {"bread", 1}}, {{"cheese", 2}, {"apple", 10}},
    {{"dates", 1}, {"figs", 4}, {"bread", 2}}, {{"bread", 5}}};
const std::map<std::string_view, long> kCatalog = {
    {"apple", 45}, {"bread", 250}, {"cheese", 799}, {"dates", 1299}};  // cents

// The price of a SKU, or nullptr when the catalog has none. (Out of line, so that the optimizer
// cannot turn the null dereference below into a trap instruction: this case is about SIGSEGV.)
[[gnu::noinline]] const long* find_price(std::string_view sku) {
  const auto it = kCatalog.find(sku);
  return it == kCatalog.end() ? nullptr : &it->second;
}

struct Totals { long orders = 0; long cents = 0; };
// Lives in memory shared by every process of the program.
struct Ledger {
  pthread_mutex_t mutex;  // process-shared
  Totals totals;          // guarded by mutex
  Totals committed;       // guarded by mutex: the totals after the last complete batch
  conclab::fixture::Gate crashing_worker_locked;  // forces the order: worker 2 locks first
};

// Runs in a worker process: adds the batch's orders to the ledger, one at a time.
[[noreturn]] void run_worker(Ledger& ledger, int worker) {
  // The kernel kills us; a sanitizer's handler would print a report on the parent's stderr instead.
  signal(SIGSEGV, SIG_DFL);
  if (worker != kCrashingWorker) ledger.crashing_worker_locked.wait();
  if (pthread_mutex_lock(&ledger.mutex) == EOWNERDEAD) {  // we own it; its last owner died in it
    std::fprintf(stderr, "worker %d: rolling back a dead worker's half-done batch\n", worker);
    ledger.totals = ledger.committed;
    pthread_mutex_consistent(&ledger.mutex);  // else it becomes unusable once we unlock it
  }
  if (worker == kCrashingWorker) ledger.crashing_worker_locked.open();
  for (const Order& order : kBatches[worker]) {
    ++ledger.totals.orders;
    ledger.totals.cents += order.quantity * *find_price(order.sku);  // "figs": SIGSEGV, locked
  }
  ledger.committed = ledger.totals;  // the batch is complete
  pthread_mutex_unlock(&ledger.mutex);
  _exit(0);  // skip the exit handlers inherited from the parent
}

int main() {
  void* shared = mmap(nullptr, sizeof(Ledger), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);  // inherited by every fork
  if (shared == MAP_FAILED) return std::perror("mmap"), 2;
  Ledger& ledger = *new (shared) Ledger;
  pthread_mutexattr_t attributes;
  pthread_mutexattr_init(&attributes);
  pthread_mutexattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED);
  // Robust: when the owner dies, the kernel marks the mutex and the next locker gets EOWNERDEAD.
  pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&ledger.mutex, &attributes);
  pid_t workers[kWorkers];
  for (int worker = 0; worker < kWorkers; ++worker) {
    if ((workers[worker] = fork()) < 0) return std::perror("fork"), 2;
    if (workers[worker] == 0) run_worker(ledger, worker);
  }
  for (int worker = 0; worker < kWorkers; ++worker) {
    int status = 0;
    waitpid(workers[worker], &status, 0);
    if (WIFSIGNALED(status)) {
      std::printf("worker %d died of SIG%s\n", worker, sigabbrev_np(WTERMSIG(status)));
    }
  }
  const Totals totals = ledger.totals;
  std::printf("%ld orders, %ld cents\n", totals.orders, totals.cents);
  pthread_mutex_destroy(&ledger.mutex);
  munmap(shared, sizeof(Ledger));
  // Every batch but worker 2's, and nothing of worker 2's half-done one.
  if (int failed = conclab::fixture::expect_eq(totals.orders, 5, "orders")) return failed;
  return conclab::fixture::expect_eq(totals.cents, 3683, "cents");
}
