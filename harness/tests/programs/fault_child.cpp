// A child that misbehaves on demand, for the harness's own tests (fault_suite_test.cpp):
//   exit N | raise SIGNO | flood BYTES | grandchild | sleep SECONDS | ignore-term |
//   escape-group | stop-self | close-stdout | garbage | leave-ipc | fork-bomb | write-file BYTES |
//   burn-cpu | setsid-bomb | leave-shm-wait GO_FILE | leave-shm-folder | oom-child | signal-parent
// Arguments after the mode's own are ignored: tests use one as a tag to find every process a
// run started in /proc.
#include <fcntl.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

// Interleaves the two streams so a harness that drains one before the other deadlocks.
int flood(std::size_t bytes) {
  const std::vector<char> block(4096, 'x');
  for (std::size_t written = 0; written < bytes; written += block.size()) {
    const auto n = std::min(block.size(), bytes - written);
    if (::write(STDOUT_FILENO, block.data(), n) != static_cast<ssize_t>(n)) return 1;
    if (::write(STDERR_FILENO, block.data(), n) != static_cast<ssize_t>(n)) return 1;
  }
  return 0;
}

// The grandchild keeps both pipes open long after its parent exits.
int leave_grandchild() {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::sleep(100);
    std::_Exit(0);
  }
  std::printf("%d\n", pid);
  std::fflush(stdout);
  return 0;
}

// A daemon the usual way: a new session (out of the run's process group), then a second fork.
int escape_group() {
  if (::fork() == 0) {
    ::setsid();
    if (::fork() == 0) {
      ::sleep(100);
      std::_Exit(0);
    }
    std::_Exit(0);
  }
  return 0;
}

// Bytes that are neither text nor UTF-8, a half report, NULs: what a parser must survive.
int garbage() {
  std::string junk = "WARNING: ThreadSanitizer: data race (pid=\xff\xfe)\n  Write of size \x80\xc0 at 0x\n";
  junk += "==1==ERROR: AddressSanitizer: heap-use-after-free on address\n    #0 0x\xf0\x28\x8c\xbc in ";
  for (int i = 0; i < 4096; ++i) junk += static_cast<char>((i * 131 + 7) & 0xff);
  junk += "\nSUMMARY: ThreadSanitizer: \n";
  for (int fd : {STDOUT_FILENO, STDERR_FILENO})
    if (::write(fd, junk.data(), junk.size()) < 0) return 1;
  return 0;
}

// Names with the run's id (as cases do) and without it, in /dev/shm and in TMPDIR; then a crash.
int leave_ipc() {
  const char* id = std::getenv("CONCLAB_RUN_ID");
  const std::string tag = id != nullptr ? id : "by-hand";
  const int shm = ::shm_open(("/conclab." + tag + ".fault-shm").c_str(), O_CREAT | O_RDWR, 0600);
  if (shm < 0 || ::ftruncate(shm, 4096) != 0) return 1;
  sem_t* sem = ::sem_open(("/conclab." + tag + ".fault-sem").c_str(), O_CREAT, 0600, 1);
  if (sem == SEM_FAILED) return 1;
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = tmp != nullptr ? tmp : "/tmp";
  if (::mkfifo((dir + "/fault-fifo").c_str(), 0600) != 0) return 1;
  std::ofstream(dir + "/fault-file") << "left behind\n";
  std::fflush(nullptr);
  return ::raise(SIGSEGV), 0;
}

// Forks until the process cap stops it, then waits: contained only by the harness's limits.
int fork_bomb() {
  int made = 0;
  while (made < 100000) {
    const pid_t pid = ::fork();
    if (pid < 0) break;
    if (pid == 0) {
      ::pause();
      std::_Exit(0);
    }
    ++made;
  }
  std::printf("forked %d\n", made);
  return 0;
}

// Every process forks on and on, each child in a session of its own (out of the run's process
// group), while the leader exits after 0.2 s: only the run's cgroup holds them all.
int setsid_bomb() {
  if (::fork() == 0) {
    for (;;) {
      if (::fork() == 0) ::setsid();
      ::usleep(2000);
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  return 0;
}

// An object without the run's id in /dev/shm, then waits (at most 20 s) for GO_FILE: meanwhile
// another program makes one of its own there.
int leave_shm_wait(const std::string& go_file, const std::string& tag) {
  const int shm = ::shm_open(("/untagged-" + tag).c_str(), O_CREAT | O_RDWR, 0600);
  if (shm < 0) return 1;
  for (int i = 0; i < 20000 && ::access(go_file.c_str(), F_OK) != 0; ++i) ::usleep(1000);
  return 0;
}

// A folder in /dev/shm named with the run's id, a file in it.
int leave_shm_folder() {
  const char* id = std::getenv("CONCLAB_RUN_ID");
  const std::string dir = std::string("/dev/shm/conclab.") + (id != nullptr ? id : "by-hand") + ".folder";
  if (::mkdir(dir.c_str(), 0700) != 0) return 1;
  std::ofstream(dir + "/inside") << "left behind\n";
  return 0;
}

// A child that grows until the run's memory limit kills it; the leader then exits 0.
int oom_child() {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> blocks;
    for (int i = 0; i < 4096; ++i) {  // up to 16 GiB, touched: resident
      char* block = static_cast<char*>(std::malloc(4 << 20));
      if (block == nullptr) break;
      std::memset(block, 1, 4 << 20);
      blocks.push_back(block);
    }
    std::_Exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::printf("child ended: %s\n", WIFSIGNALED(status) ? "by a signal" : "by itself");
  return 0;
}

// Tells its judge to stop, then waits to be ended.
int signal_parent() {
  ::kill(::getppid(), SIGTERM);
  std::puts("sent SIGTERM to my parent");
  std::fflush(stdout);
  for (;;) ::pause();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 64;
  const std::string_view mode = argv[1];
  const char* arg = argc > 2 ? argv[2] : "0";
  if (mode == "exit") return std::atoi(arg);
  if (mode == "raise") return ::raise(std::atoi(arg)), 0;
  if (mode == "flood") return flood(std::strtoull(arg, nullptr, 10));
  if (mode == "grandchild") return leave_grandchild();
  if (mode == "sleep") return std::this_thread::sleep_for(std::chrono::duration<double>(std::atof(arg))), 0;
  if (mode == "escape-group") return escape_group();
  if (mode == "stop-self") return ::raise(SIGSTOP), 0;
  if (mode == "close-stdout") {
    ::close(STDOUT_FILENO);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return ::write(STDERR_FILENO, "stdout closed\n", 14) == 14 ? 0 : 1;
  }
  if (mode == "garbage") return garbage();
  if (mode == "leave-ipc") return leave_ipc();
  if (mode == "fork-bomb") return fork_bomb();
  if (mode == "write-file") {
    std::ofstream big(std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/big");
    const std::string block(1 << 20, 'x');
    for (unsigned long long n = std::strtoull(arg, nullptr, 10); n > 0 && big; n -= std::min<unsigned long long>(n, block.size()))
      big.write(block.data(), std::min<unsigned long long>(n, block.size()));
    return big ? 0 : 1;
  }
  if (mode == "setsid-bomb") return setsid_bomb();
  if (mode == "leave-shm-wait") return leave_shm_wait(arg, argc > 3 ? argv[3] : "no-tag");
  if (mode == "leave-shm-folder") return leave_shm_folder();
  if (mode == "oom-child") return oom_child();
  if (mode == "signal-parent") return signal_parent();
  if (mode == "burn-cpu") {
    for (volatile unsigned long long spin = 0;; ++spin) {
    }
  }
  if (mode == "ignore-term") {
    ::signal(SIGTERM, SIG_IGN);
    std::puts("ignoring SIGTERM");
    std::fflush(stdout);
    ::sleep(100);
    return 0;
  }
  return 64;
}
