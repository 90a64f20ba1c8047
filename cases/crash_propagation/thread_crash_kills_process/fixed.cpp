// Bug: worker 2 dereferences a null pointer. A fatal signal kills the whole process, not just the
//   thread that faulted, so the results the other three workers had already stored die with it.
// Symptom: SIGSEGV on every run, and not a single result is printed.
// Fix: a child process per worker; the parent keeps the three results and reports the death.
// Tools: release dies of SIGSEGV; ThreadSanitizer and ASan catch the signal, print
//   "SEGV on unknown address 0x000000000000" with the faulting stack, and exit non-zero.
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "conclab/invariant.hpp"

constexpr int kWorkers = 4;
constexpr int kCrashingWorker = 2;
constexpr long kShare = 1000000;  // numbers summed by each worker

// Worker 2's input never arrived. `volatile` hides the null from the optimizer, which could
// otherwise turn the (undefined) load into a trap instruction or delete it.
const long* volatile missing_input = nullptr;

// Sums the worker's share of the numbers. (The asan preset leaves UBSan's null check off, so
// ASan sees this fault as the SEGV it is: docs/design.md.)
long sum_share(int worker) {
  long sum = 0;
  for (long n = worker * kShare; n < (worker + 1) * kShare; ++n) sum += n;
  if (worker == kCrashingWorker) sum += *missing_input;  // SIGSEGV
  return sum;
}

// Runs in the child process: computes, sends the result up the pipe, exits.
[[noreturn]] void run_worker(int worker, int result_fd) {
  // A sanitizer's handler would catch the SIGSEGV and print its report on the stderr shared with
  // the parent, where it reads as the parent's crash. With the default action the kernel just
  // kills this child, and the parent learns of it from waitpid.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigaction(SIGSEGV, &default_action, nullptr);
  const rlimit no_core_file{0, 0};  // the crash is expected: no core file
  setrlimit(RLIMIT_CORE, &no_core_file);
  const long sum = sum_share(worker);
  // 8 bytes < PIPE_BUF: written whole. _exit: skip the atexit handlers inherited from the parent.
  _exit(write(result_fd, &sum, sizeof sum) == sizeof sum ? 0 : 1);
}

int main() {
  // No thread is ever created here: fork copies only the calling thread, so a child forked while
  // others run could inherit a lock (e.g. malloc's) that nobody in it will ever release.
  pid_t children[kWorkers];
  int result_fds[kWorkers];
  for (int worker = 0; worker < kWorkers; ++worker) {
    int fds[2];
    if (pipe(fds) != 0 || (children[worker] = fork()) < 0) {
      std::perror("pipe/fork");
      return 2;
    }
    if (children[worker] == 0) run_worker(worker, fds[1]);
    close(fds[1]);  // the child holds the only write end: its death means end of file
    result_fds[worker] = fds[0];
  }
  int survivors = 0;
  for (int worker = 0; worker < kWorkers; ++worker) {
    long sum = 0;
    const bool received = read(result_fds[worker], &sum, sizeof sum) == sizeof sum;
    int status = 0;
    waitpid(children[worker], &status, 0);
    if (WIFSIGNALED(status)) {
      std::printf("worker %d died of SIG%s\n", worker, sigabbrev_np(WTERMSIG(status)));
    } else if (received) {
      std::printf("worker %d: sum = %ld\n", worker, sum);
      ++survivors;
    } else {
      std::printf("worker %d failed with exit status %d\n", worker, WEXITSTATUS(status));
    }
  }
  return conclab::fixture::expect_eq(survivors, kWorkers - 1, "results that survive worker 2");
}
