// exec and posix_spawn: a pipe or socket descriptor that stays open in the new program without
// having been asked for (fd_leaked_across_exec). A reader waiting for end of file then waits for
// every copy of the write end to close, the new program's too.
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdlib>
#include <cstring>

#include "interpose.hpp"
#include "report.hpp"

extern char** environ;

namespace conclab::procsan {
namespace {

// The descriptors this image started with (from whoever exec'd it): passing those on is its
// parent's doing, not this program's, and a run's own parent (conclab) passes only 0, 1 and 2.
constexpr int kTrackedFds = 1024;
bool g_inherited[kTrackedFds];

// Every open descriptor, read from /proc/self/fd with getdents64 (no allocation: this runs in
// fork children, between fork and exec).
template <typename EachFd>
void for_each_open_fd(EachFd each) noexcept {
  const int dir = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return;
  char listing[4096];
  for (long n; (n = ::syscall(SYS_getdents64, dir, listing, sizeof listing)) > 0;)
    for (long at = 0; at < n;) {
      const auto* entry = reinterpret_cast<const struct dirent64*>(listing + at);
      at += entry->d_reclen;
      if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
      if (const int fd = std::atoi(entry->d_name); fd != dir) each(fd);
    }
  ::close(dir);
}

__attribute__((constructor)) void note_inherited() {
  for_each_open_fd([](int fd) {
    if (fd < kTrackedFds) g_inherited[fd] = true;
  });
}

// argv names the descriptor ("5", "--fd=5", "/dev/fd/5"): the new program asked for it.
bool named_in(char* const argv[], int fd) noexcept {
  char digits[16];
  format(digits, "%d", fd);
  const std::size_t n = std::strlen(digits);
  for (int i = 0; argv != nullptr && argv[i] != nullptr; ++i)
    for (const char* p = std::strstr(argv[i], digits); p != nullptr; p = std::strstr(p + 1, digits)) {
      const bool starts = p == argv[i] || p[-1] < '0' || p[-1] > '9';
      const bool ends = p[n] < '0' || p[n] > '9';
      if (starts && ends) return true;
    }
  return false;
}

// A second copy of the pipe the new program gets as stdin, stdout or stderr (Boost.Process 1.81
// leaves the original of a dup2'd stdio pipe open): it holds no end the program does not hold.
bool same_as_standard_stream(const struct stat& st) noexcept {
  for (int fd = 0; fd <= 2; ++fd) {
    struct stat standard{};
    if (::fstat(fd, &standard) == 0 && standard.st_dev == st.st_dev && standard.st_ino == st.st_ino) return true;
  }
  return false;
}

// Every pipe or socket above 2 that this image opened and exec would keep open.
void check_descriptors(const char* call, const char* path, char* const argv[]) noexcept {
  char leaked[512];
  leaked[0] = '\0';
  std::size_t used = 0;
  for_each_open_fd([&](int fd) {
    if (fd <= 2 || (fd < kTrackedFds && g_inherited[fd])) return;
    const int flags = ::fcntl(fd, F_GETFD);
    struct stat st{};
    if (flags < 0 || (flags & FD_CLOEXEC) != 0 || ::fstat(fd, &st) != 0) return;
    const char* kind = S_ISFIFO(st.st_mode) ? "pipe" : S_ISSOCK(st.st_mode) ? "socket" : nullptr;
    if (kind == nullptr || named_in(argv, fd) || same_as_standard_stream(st)) return;
    char one[64];
    format(one, "%s%s %d", used == 0 ? "" : ", ", kind, fd);
    if (used + std::strlen(one) + 1 < sizeof leaked) {
      std::strcpy(leaked + used, one);
      used += std::strlen(one);
    }
  });
  if (used == 0) return;
  char message[1024];
  Stack here;
  capture(here);
  report("fd_leaked_across_exec",
         format(message, "%s(\"%s\") keeps %s open in the new program: no close-on-exec (O_CLOEXEC, "
                         "pipe2, SOCK_CLOEXEC) and not named in its arguments",
                call, path != nullptr ? path : "?", leaked),
         here);
}

// execl's arguments as an array; at most 256 of them (more are cut).
constexpr int kMaxArgs = 257;
void collect(const char* first, va_list& rest, const char* (&argv)[kMaxArgs]) noexcept {
  int n = 0;
  argv[n++] = first;
  for (const char* a = first; a != nullptr && n < kMaxArgs - 1;) argv[n++] = a = va_arg(rest, const char*);
  argv[n] = nullptr;
}

using execve_fn = int (*)(const char*, char* const[], char* const[]);
using execv_fn = int (*)(const char*, char* const[]);
using fexecve_fn = int (*)(int, char* const[], char* const[]);
using spawn_fn = int (*)(pid_t*, const char*, const posix_spawn_file_actions_t*, const posix_spawnattr_t*,
                         char* const[], char* const[]);

}  // namespace
}  // namespace conclab::procsan

using namespace conclab::procsan;

extern "C" {

int execve(const char* path, char* const argv[], char* const envp[]) {
  static const auto real = next<execve_fn>("execve");
  check_descriptors("execve", path, argv);
  return real(path, argv, envp);
}

int execv(const char* path, char* const argv[]) {
  static const auto real = next<execv_fn>("execv");
  check_descriptors("execv", path, argv);
  return real(path, argv);
}

int execvp(const char* file, char* const argv[]) {
  static const auto real = next<execv_fn>("execvp");
  check_descriptors("execvp", file, argv);
  return real(file, argv);
}

int execvpe(const char* file, char* const argv[], char* const envp[]) {
  static const auto real = next<execve_fn>("execvpe");
  check_descriptors("execvpe", file, argv);
  return real(file, argv, envp);
}

int fexecve(int fd, char* const argv[], char* const envp[]) {
  static const auto real = next<fexecve_fn>("fexecve");
  char name[32];
  check_descriptors("fexecve", format(name, "fd %d", fd), argv);
  return real(fd, argv, envp);
}

int execl(const char* path, const char* arg, ...) {
  static const auto real = next<execv_fn>("execv");
  const char* argv[kMaxArgs];
  va_list rest;
  va_start(rest, arg);
  collect(arg, rest, argv);
  va_end(rest);
  check_descriptors("execl", path, const_cast<char* const*>(argv));
  return real(path, const_cast<char* const*>(argv));
}

int execlp(const char* file, const char* arg, ...) {
  static const auto real = next<execv_fn>("execvp");
  const char* argv[kMaxArgs];
  va_list rest;
  va_start(rest, arg);
  collect(arg, rest, argv);
  va_end(rest);
  check_descriptors("execlp", file, const_cast<char* const*>(argv));
  return real(file, const_cast<char* const*>(argv));
}

int execle(const char* path, const char* arg, ...) {
  static const auto real = next<execve_fn>("execve");
  const char* argv[kMaxArgs];
  va_list rest;
  va_start(rest, arg);
  collect(arg, rest, argv);
  char* const* envp = va_arg(rest, char* const*);  // after the null that ends the arguments
  va_end(rest);
  check_descriptors("execle", path, const_cast<char* const*>(argv));
  return real(path, const_cast<char* const*>(argv), envp);
}

// posix_spawn's file actions may close or move descriptors, and glibc keeps them opaque: with any
// file actions the check stays silent rather than guess (docs/procsan.md, "Limits").
int posix_spawn(pid_t* pid, const char* path, const posix_spawn_file_actions_t* actions,
                const posix_spawnattr_t* attr, char* const argv[], char* const envp[]) {
  static const auto real = next<spawn_fn>("posix_spawn");
  if (actions == nullptr) check_descriptors("posix_spawn", path, argv);
  return real(pid, path, actions, attr, argv, envp);
}

int posix_spawnp(pid_t* pid, const char* file, const posix_spawn_file_actions_t* actions,
                 const posix_spawnattr_t* attr, char* const argv[], char* const envp[]) {
  static const auto real = next<spawn_fn>("posix_spawnp");
  if (actions == nullptr) check_descriptors("posix_spawnp", file, argv);
  return real(pid, file, actions, attr, argv, envp);
}

}  // extern "C"
