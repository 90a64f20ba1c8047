// A child that misbehaves on demand, for the harness's own tests:
//   exit N | raise SIGNO | flood BYTES | grandchild | sleep SECONDS | ignore-term
#include <signal.h>
#include <unistd.h>

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
  if (mode == "ignore-term") {
    ::signal(SIGTERM, SIG_IGN);
    std::puts("ignoring SIGTERM");
    std::fflush(stdout);
    ::sleep(100);
    return 0;
  }
  return 64;
}
