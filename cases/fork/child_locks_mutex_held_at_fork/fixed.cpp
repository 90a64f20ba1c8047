// Bug: the supervisor forks a log-rotation hook while its loader thread is inside log()'s critical
//   section. fork() copies only the calling thread: the child inherits log_mutex locked by a
//   thread it does not have, and its log() line before exec waits for an unlock that never comes.
// Symptom: the hook never runs; the child sleeps on the mutex, the parent in waitpid(), every run.
// Fix: between fork and exec the child calls only async-signal-safe functions: no log(), no lock.
// Tools: no detector sees it (TSan stops checking a child forked from threads); conclab: hang.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

std::mutex log_mutex;  // one line at a time on stderr

// Writes one line to the log. Given gates, it pauses inside the critical section, lock held.
void log(const std::string& line, Gate* writing = nullptr, Gate* resume = nullptr) {
  std::lock_guard lock(log_mutex);
  if (writing != nullptr) {
    writing->open();
    resume->wait(std::chrono::seconds(1));
  }
  std::fprintf(stderr, "[supervisor %d] %s\n", getpid(), line.c_str());
}

// Runs in the forked child: becomes the hook at once.
[[noreturn]] void run_hook(const char* self) {
  // Nothing here may take a lock: only async-signal-safe calls until exec (signal-safety(7)).
  execl(self, self, "--hook", nullptr);
  _exit(127);
}

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--hook") {  // the hook itself, after exec
    std::puts("hook: logs rotated");
    return 0;
  }
  Gate loader_writing, hook_forked;
  std::thread loader([&] {  // loads the job list meanwhile, and says so
    log("loaded 3 backup jobs", &loader_writing, &hook_forked);
  });
  loader_writing.wait();  // the schedule: fork while the loader holds log_mutex
  const pid_t hook = fork();
  if (hook < 0) return 2;
  if (hook == 0) run_hook("/proc/self/exe");
  hook_forked.open();
  log("started the log-rotation hook, pid " + std::to_string(hook));  // the parent logs it
  loader.join();
  int status = 0;
  waitpid(hook, &status, 0);
  return conclab::fixture::expect_eq(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0,
                                     "hook's exit status");
}
