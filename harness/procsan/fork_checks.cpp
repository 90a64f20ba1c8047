// fork() and what follows it: a fork while other threads run whose child then calls something
// that is not async-signal-safe (fork_in_threaded_process), stdio output still buffered at the fork
// that the child's exit() writes a second time (fork_with_unflushed_stdio), and children never
// waited for when the process exits (zombie_children).
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "interpose.hpp"
#include "report.hpp"

extern "C" {
extern FILE* _IO_list_all;  // glibc's list of every open FILE, linked by _chain
void _IO_list_lock();
void _IO_list_unlock();
}

namespace conclab::procsan {
namespace {

using fork_fn = pid_t (*)();

struct PendingFile {
  FILE* file;
  std::size_t bytes;
};
constexpr int kMaxPending = 16;

// Set in the child by fork() below; a fresh image (exec) starts over with zeroes.
bool g_fork_child = false;
int g_threads_at_fork = 0;  // in a fork child: the threads its parent had
Stack g_fork_stack;         // in a fork child: where its parent forked
PendingFile g_pending[kMaxPending];
int g_pending_count = 0;
bool g_unsafe_reported = false;
bool g_forked = false;  // this process forked at least once: check its children at exit

// Where this process forked its latest children: a zombie's finding points at its fork.
struct ChildFork {
  pid_t pid;
  Stack stack;
};
constexpr int kRememberedChildren = 32;
ChildFork g_children[kRememberedChildren];
std::atomic<unsigned> g_next_child{0};

const Stack* fork_stack_of(pid_t pid) noexcept {
  for (const auto& c : g_children)
    if (c.pid == pid) return &c.stack;
  return nullptr;
}

int threads_of_this_process() noexcept {
  const int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 1;
  char text[1024];
  const auto n = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (n <= 0) return 1;
  text[n] = '\0';
  const char* p = std::strrchr(text, ')');  // the command name may hold spaces
  for (int field = 2; p != nullptr && field < 20; ++field) p = std::strchr(p + 1, ' ');
  return p != nullptr ? std::atoi(p + 1) : 1;  // field 20: num_threads
}

// Every FILE with output in its buffer, as fork() is about to copy it.
int pending_files(PendingFile (&out)[kMaxPending]) noexcept {
  int count = 0;
  _IO_list_lock();
  for (FILE* f = _IO_list_all; f != nullptr && count < kMaxPending; f = f->_chain)
    if (const auto bytes = __fpending(f); bytes > 0) out[count++] = {f, bytes};
  _IO_list_unlock();
  return count;
}

// At exit() (or main's return): runs before stdio writes its buffers out. A stack taken in an exit
// handler shows little (exit's own frames), so these findings point at the fork that caused them.
void check_at_exit() {
  if (g_fork_child && g_threads_at_fork > 1) report_unsafe_call_after_fork("exit()", false);
  if (g_fork_child) {
    for (int i = 0; i < g_pending_count; ++i) {
      const auto& p = g_pending[i];
      if (__fpending(p.file) < p.bytes) continue;  // written or dropped since: not the inherited bytes
      char message[512];
      report("fork_with_unflushed_stdio",
             format(message, "exit() flushes %zu bytes of a FILE (fd %d) that were already buffered in the parent "
                             "at fork(): they are written twice, once by each process",
                    p.bytes, fileno(p.file)),
             g_fork_stack);
    }
  }
  if (g_forked) {
    // A zombie child, left in place (WNOWAIT): the kernel has none when SIGCHLD is ignored or
    // SA_NOCLDWAIT is set, so those programs never get here with one.
    siginfo_t info{};
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0) {
      char message[256];
      const Stack* forked = fork_stack_of(info.si_pid);
      report("zombie_children",
             format(message, "the process exits with child %ld terminated and never waited for (a zombie until "
                             "its parent reaps it)",
                    static_cast<long>(info.si_pid)),
             forked != nullptr ? *forked : Stack{});
    }
  }
}

__attribute__((constructor)) void install() { std::atexit(check_at_exit); }

}  // namespace

bool child_of_threaded_fork() noexcept { return g_fork_child && g_threads_at_fork > 1; }

void report_unsafe_call_after_fork(const char* what, bool at_the_call) noexcept {
  if (!child_of_threaded_fork() || g_unsafe_reported) return;
  g_unsafe_reported = true;
  char message[512];
  Stack here;
  if (at_the_call) capture(here);
  report("fork_in_threaded_process",
         format(message, "the child of a fork() made while %d threads ran calls %s before exec or _exit: only "
                         "async-signal-safe calls are safe there (a lock another thread held stays held)",
                g_threads_at_fork, what),
         at_the_call ? here : g_fork_stack, at_the_call ? &g_fork_stack : nullptr);
}

}  // namespace conclab::procsan

using namespace conclab::procsan;

extern "C" pid_t fork() {
  static const auto real = next<fork_fn>("fork");
  const int threads = threads_of_this_process();
  Stack stack;
  PendingFile pending[kMaxPending];
  const int pending_count = pending_files(pending);
  capture(stack);  // a few microseconds, beside fork's hundred
  const pid_t pid = real();
  if (pid == 0) {
    g_fork_child = true;
    g_threads_at_fork = threads;
    g_fork_stack = stack;
    std::memcpy(g_pending, pending, sizeof pending);
    g_pending_count = pending_count;
    g_unsafe_reported = false;
    g_forked = false;  // its own children, if any, are its own business from here
  } else if (pid > 0) {
    g_forked = true;
    auto& slot = g_children[g_next_child.fetch_add(1) % kRememberedChildren];
    slot.pid = pid;
    slot.stack = stack;
  }
  return pid;
}
