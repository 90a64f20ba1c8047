// A program for gate_test.cpp: one scenario per argument, each a Gate wait whose opener is blocked,
// busy, busy in a forked worker, or busy forever. Prints "opened=0|1 waited_ms=N".
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <new>
#include <string_view>
#include <thread>

#include "conclab/gate.hpp"

using conclab::fixture::Gate;
using namespace std::chrono;

// Keeps a CPU busy (state R) for `busy`, or until `stop` when busy is zero.
void spin(milliseconds busy, const std::atomic<bool>* stop = nullptr) {
  const auto until = steady_clock::now() + busy;
  while (stop != nullptr ? !stop->load(std::memory_order_relaxed) : steady_clock::now() < until) {
  }
}

int main(int argc, char** argv) {
  const std::string_view scenario = argc == 2 ? argv[1] : "";
  Gate* gate = new (mmap(nullptr, sizeof(Gate), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)) Gate;
  std::mutex held;
  std::atomic<bool> stop{false};
  std::thread opener;
  pid_t worker = -1;
  milliseconds limit(50);
  if (scenario == "blocked") {  // the opener waits for a lock this thread holds: give up at the limit
    held.lock();
    opener = std::thread([&] {
      std::lock_guard lock(held);
      gate->open();
    });
    limit = milliseconds(100);
  } else if (scenario == "busy") {  // the opener runs past the limit, then opens
    opener = std::thread([&] {
      spin(milliseconds(400));
      gate->open();
    });
  } else if (scenario == "forked") {  // the same, in a worker process of the same group
    worker = fork();
    if (worker == 0) {
      spin(milliseconds(400));
      gate->open();
      _exit(0);
    }
  } else if (scenario == "endless") {  // the opener never stops: give up at the hard limit
    opener = std::thread([&] { spin(milliseconds(0), &stop); });
  } else if (scenario != "look") {
    std::fprintf(stderr, "usage: gate_probe blocked|busy|forked|endless|look\n");
    return 2;
  }
  const auto started = steady_clock::now();
  const bool opened = gate->wait(scenario == "look" ? milliseconds(0) : limit);
  const auto waited = duration_cast<milliseconds>(steady_clock::now() - started).count();
  std::printf("opened=%d waited_ms=%lld\n", opened ? 1 : 0, static_cast<long long>(waited));
  if (scenario == "blocked") held.unlock();
  stop.store(true, std::memory_order_relaxed);
  if (opener.joinable()) opener.join();
  if (worker > 0) waitpid(worker, nullptr, 0);
  return 0;
}
