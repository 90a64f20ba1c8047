// Bug: each config value is parsed on its own std::thread, and std::stol throws on the malformed
//   one. An exception that leaves a thread's function calls std::terminate: there is no caller on
//   that thread's stack to catch it, and main's try/catch covers only main's own thread.
// Symptom: "terminate called after throwing an instance of 'std::invalid_argument'", then SIGABRT
//   kills the whole process, every run; the three good values die with it.
// Fix: std::async: the future carries the exception to whoever calls get(), who handles it.
// Tools: release, ASan and TSan all die of SIGABRT (the sanitizers do not intercept abort()).
#include <cstdio>
#include <future>
#include <stdexcept>
#include <string>
#include <vector>

#include "conclab/invariant.hpp"

const std::vector<std::string> kTimeoutsMs = {"250", "1500", "fast", "40"};

int main() {
  std::vector<std::future<long>> parsers;
  for (std::size_t i = 0; i < kTimeoutsMs.size(); ++i) {
    parsers.push_back(std::async(std::launch::async, [i] { return std::stol(kTimeoutsMs[i]); }));
  }
  long total = 0;
  for (std::size_t i = 0; i < kTimeoutsMs.size(); ++i) {
    try {
      total += parsers[i].get();  // waits, then returns the value or rethrows the parser's error
    } catch (const std::exception& error) {
      std::fprintf(stderr, "ignoring timeout \"%s\": %s\n", kTimeoutsMs[i].c_str(), error.what());
    }
  }
  return conclab::fixture::expect_eq(total, 250 + 1500 + 40, "sum of the valid timeouts");
}
