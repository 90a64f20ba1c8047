// exercise_observer: linked into a participant's program by `conclab exercise start|check`, never
// into conclab itself (harness/CMakeLists.txt does not list it). It writes what the program did to
// the file named by CONCLAB_EXERCISE_TRACE, one line per event, so that the check can tell a fix
// from a program that simply stopped being concurrent (docs/workshop/participants-guide.md):
//
//   process <pid>                    a process of the program started (main, each fork, each exec of it)
//   thread <pid>                     a thread was started (every std::thread, jthread, async, pool...)
//   invariant <pid> ok|wrong <what>  the program checked its result with conclab::fixture::expect_eq
//
// How: `pthread_create` is defined here, so the executable's definition comes first in the dynamic
// linker's search order and every thread creation goes through it, also those made inside
// libstdc++ (std::thread). It forwards to the next definition (the sanitizer's interceptor, or
// glibc's) found with dlsym(RTLD_NEXT). Processes: a constructor (the program, and every exec of
// it) and a pthread_atfork child handler (every fork). expect_eq calls the hook
// conclab_invariant_checked, weak in the fixtures and defined here. Without CONCLAB_EXERCISE_TRACE
// in the environment nothing is written.
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

// One write(2) per line with O_APPEND: lines from threads and processes never interleave. No
// allocation: it runs in fork children and before main.
void trace(const char* kind, const char* rest, std::size_t rest_size) {
  const char* file = std::getenv("CONCLAB_EXERCISE_TRACE");
  if (file == nullptr || *file == '\0') return;
  char line[512];
  int n = std::snprintf(line, sizeof line, "%s %ld", kind, static_cast<long>(::getpid()));
  if (n < 0) return;
  std::size_t used = static_cast<std::size_t>(n) < sizeof line ? static_cast<std::size_t>(n) : sizeof line - 1;
  if (rest_size > 0 && used + 1 + rest_size + 1 < sizeof line) {
    line[used++] = ' ';
    std::memcpy(line + used, rest, rest_size);
    used += rest_size;
  }
  for (std::size_t i = 0; i < used; ++i)
    if (line[i] == '\n') line[i] = ' ';
  line[used++] = '\n';
  const int fd = ::open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  [[maybe_unused]] const auto written = ::write(fd, line, used);
  ::close(fd);
}

void process_started() { trace("process", nullptr, 0); }

__attribute__((constructor)) void observe_process() {
  process_started();
  ::pthread_atfork(nullptr, nullptr, process_started);
}

using create_fn = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);

}  // namespace

extern "C" int pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*start)(void*), void* arg) {
  static const auto next = reinterpret_cast<create_fn>(::dlsym(RTLD_NEXT, "pthread_create"));
  if (next == nullptr) return EAGAIN;
  const int result = next(thread, attr, start, arg);
  if (result == 0) trace("thread", nullptr, 0);
  return result;
}

// Called by the fixtures' expect_eq (fixtures/src/invariant.cpp) for every check the program makes.
extern "C" void conclab_invariant_checked(long long actual, long long expected, const char* what, std::size_t what_size) {
  char rest[400];
  const int n = std::snprintf(rest, sizeof rest, "%s %.*s", actual == expected ? "ok" : "wrong",
                              static_cast<int>(what_size > 300 ? 300 : what_size), what);
  if (n > 0) trace("invariant", rest, static_cast<std::size_t>(n) < sizeof rest ? n : sizeof rest - 1);
}
