// Bug (fixed here): each config value was parsed on its own std::thread, and the exception
//   std::stol threw for the malformed one left its thread's function: std::terminate, SIGABRT.
// Symptom was a dead process; now main prints "ignoring timeout "fast": stol" and sums the rest.
// Fix: std::async runs each parse and stores its result or its exception in the shared state;
//   future::get() returns the one or rethrows the other on main's thread, inside main's try.
// Tools: release, ASan and TSan all report nothing.
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
