// Bug: a batch job forks a heartbeat process that tells its monitor "alive" every half second, then
//   finishes and returns from main without stopping it. A child does not die with its parent: the
//   heartbeat is handed to init (or the nearest subreaper) and goes on vouching for a dead job.
// Symptom: the job prints its result and exits 0, and the heartbeat lines keep coming, forever.
// Fix: the heartbeat sleeps in poll() on a lifeline pipe and stops at its end of file.
// Tools: no detector looks past the main process's exit; conclab finds the heartbeat still running.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>
#include <thread>

[[noreturn]] void fail(const char* call) {
  throw std::system_error(errno, std::generic_category(), call);
}

// Runs in the child: tells the monitor (stdout here) that the job is alive, twice a second.
[[noreturn]] void run_heartbeat(pid_t job) {
  for (int beat = 1;; ++beat) {
    dprintf(STDOUT_FILENO, "heartbeat %d: job %d alive (my parent is %d)\n", beat, job, getppid());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

// The job's work: sums the last three digits of the first ten million squares.
long run_batch() {
  long sum = 0;
  for (long n = 1; n <= 10000000; ++n) sum += n * n % 1000;
  return sum;
}

int main() {
  const pid_t job = getpid();
  const pid_t heartbeat = fork();
  if (heartbeat < 0) fail("fork");
  if (heartbeat == 0) run_heartbeat(job);
  std::printf("job %d: batch done, checksum %ld\n", job, run_batch());
  return 0;  // the heartbeat was never told to stop
}
