// Bug: a batch job forks a heartbeat process that tells its monitor "alive" every half second, then
//   finishes and returns from main without stopping it. A child does not die with its parent: the
//   heartbeat is handed to init (or the nearest subreaper) and goes on vouching for a dead job.
// Symptom: the job prints its result and exits 0, and the heartbeat lines keep coming, forever.
// Fix: the heartbeat sleeps in poll() on a lifeline pipe and stops at its end of file.
// Tools: no detector looks past the main process's exit; conclab finds the heartbeat still running.
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

[[noreturn]] void fail(const char* call) {
  throw std::system_error(errno, std::generic_category(), call);
}

// Runs in the child: tells the monitor (stdout here) that the job is alive, twice a second, until
// the lifeline ends: poll() reports POLLHUP once every write end is closed, however the job ended.
[[noreturn]] void run_heartbeat(pid_t job, int lifeline) {
  pollfd job_alive{lifeline, POLLIN, 0};
  for (int beat = 1;; ++beat) {
    dprintf(STDOUT_FILENO, "heartbeat %d: job %d alive (my parent is %d)\n", beat, job, getppid());
    if (poll(&job_alive, 1, 500) > 0) _exit(0);  // sleeps 500 ms unless the lifeline ends first
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
  int lifeline[2];
  if (pipe2(lifeline, O_CLOEXEC) != 0) fail("pipe2");  // O_CLOEXEC: no program we exec holds it
  const pid_t heartbeat = fork();
  if (heartbeat < 0) fail("fork");
  if (heartbeat == 0) {
    close(lifeline[1]);  // only the job may hold the write end, or its death would go unnoticed
    run_heartbeat(job, lifeline[0]);
  }
  close(lifeline[0]);
  std::printf("job %d: batch done, checksum %ld\n", job, run_batch());
  close(lifeline[1]);  // the heartbeat's poll() wakes with POLLHUP and it exits
  waitpid(heartbeat, nullptr, 0);  // and it is gone, reaped, before the job returns
  return 0;
}
