// procsan_child MODE: one process pattern per mode, each either a bug procsan names or the correct
// pattern beside it that it must leave alone (procsan_test.cpp). Written for the
// tests, not taken from the catalog. Every mode ends on its own: nothing here hangs.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <thread>

namespace {

int wait_for(pid_t child) {
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Forks while a second thread runs (it waits until the child is gone); the child runs `in_child`.
template <typename F>
int fork_beside_a_thread(F in_child) {
  std::mutex m;
  std::promise<void> child_gone;
  std::thread other([done = child_gone.get_future()] { done.wait(); });
  const pid_t child = ::fork();
  if (child == 0) in_child(m);
  const int status = wait_for(child);
  child_gone.set_value();
  other.join();
  return status;
}

// Runs /bin/true with the pipe's write end open; named in its arguments, the read end closed first.
int run_true_keeping(const int (&fds)[2], bool name_it) {
  const std::string number = std::to_string(fds[1]);
  const pid_t child = ::fork();
  if (child == 0) {
    if (name_it) ::close(fds[0]);
    if (name_it) ::execl("/bin/true", "true", "--fd", number.c_str(), nullptr);
    else ::execl("/bin/true", "true", nullptr);
    ::_exit(127);
  }
  return wait_for(child);
}

pthread_mutex_t* shared_mutex(bool process_shared, bool robust) {
  void* memory = ::mmap(nullptr, sizeof(pthread_mutex_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) std::exit(2);
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  if (process_shared) pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  if (robust) pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  auto* m = new (memory) pthread_mutex_t;
  pthread_mutex_init(m, &attr);
  return m;
}

// A child takes the robust mutex and dies with it; the parent gets EOWNERDEAD.
int robust_owner_dies(bool make_consistent) {
  pthread_mutex_t* m = shared_mutex(true, true);
  const pid_t child = ::fork();
  if (child == 0) {
    pthread_mutex_lock(m);
    ::_exit(0);
  }
  wait_for(child);
  if (pthread_mutex_lock(m) != EOWNERDEAD) return 3;
  if (make_consistent) pthread_mutex_consistent(m);
  pthread_mutex_unlock(m);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc > 1 ? argv[1] : "";
  if (mode == "threaded-fork-lock")  // bug: a lock in the child of a threaded fork
    return fork_beside_a_thread([](std::mutex& m) {
      m.lock();
      ::_exit(0);
    });
  if (mode == "threaded-fork-exit")  // bug: exit() (atexit handlers, stdio) in that child
    return fork_beside_a_thread([](std::mutex&) { std::exit(0); });
  if (mode == "threaded-fork-exec")  // correct: straight to exec
    return fork_beside_a_thread([](std::mutex&) {
      ::execl("/bin/true", "true", nullptr);
      ::_exit(127);
    });
  if (mode == "unflushed-fork" || mode == "flushed-fork") {  // bug / correct: a buffered FILE at fork
    std::FILE* out = std::fopen("/dev/null", "w");
    std::fprintf(out, "a header that is still in the buffer\n");
    if (mode == "flushed-fork") std::fflush(nullptr);
    const pid_t child = ::fork();
    if (child == 0) std::exit(0);  // exit() flushes the inherited copy
    wait_for(child);
    return std::fclose(out) == 0 ? 0 : 2;
  }
  if (mode == "pipe-leaks-to-exec" || mode == "cloexec-pipe" || mode == "pipe-named-in-argv") {
    int fds[2];
    if ((mode == "cloexec-pipe" ? ::pipe2(fds, O_CLOEXEC) : ::pipe(fds)) != 0) return 2;
    return run_true_keeping(fds, mode == "pipe-named-in-argv");
  }
  if (mode == "zombie-at-exit" || mode == "child-reaped" || mode == "sigchld-ignored") {
    if (mode == "sigchld-ignored") ::signal(SIGCHLD, SIG_IGN);  // the kernel reaps: never a zombie
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    siginfo_t info{};
    if (mode == "zombie-at-exit") ::waitid(P_PID, child, &info, WEXITED | WNOWAIT);  // a zombie now, left so
    if (mode == "child-reaped") wait_for(child);
    return 0;
  }
  if (mode == "private-mutex-in-shared-memory" || mode == "pshared-mutex-in-shared-memory") {
    pthread_mutex_t* m = shared_mutex(mode == "pshared-mutex-in-shared-memory", false);
    pthread_mutex_lock(m);
    pthread_mutex_unlock(m);
    return 0;
  }
  if (mode == "robust-not-recovered") return robust_owner_dies(false);
  if (mode == "robust-recovered") return robust_owner_dies(true);
  std::fprintf(stderr, "procsan_child: unknown mode '%.*s'\n", static_cast<int>(mode.size()), mode.data());
  return 2;
}
