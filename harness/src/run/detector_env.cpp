#include "run/detector_env.hpp"

#include <cstdlib>

namespace conclab {
namespace {

// Report everything (halt_on_error=0) so one run shows all races; the second stack of a
// lock-order report shows where the other order was taken; the harness reads stderr, so
// no log_path. A crash in a worker must still print its stack: handle_segv stays on.
constexpr const char* kTsan = "halt_on_error=0:second_deadlock_stack=1:report_signal_unsafe=1";
constexpr const char* kAsan = "detect_stack_use_after_return=1:detect_leaks=1:check_initialization_order=1";
constexpr const char* kUbsan = "print_stacktrace=1";

std::string merged(const char* ours, const char* variable) {
  const char* theirs = std::getenv(variable);
  std::string options = ours;
  if (theirs != nullptr && *theirs != '\0') options += (options.empty() ? "" : ":") + std::string(theirs);
  return options;
}

}  // namespace

std::map<std::string, std::string> detector_env() {
  return {
      {"TSAN_OPTIONS", merged(kTsan, "TSAN_OPTIONS")},
      {"ASAN_OPTIONS", merged(kAsan, "ASAN_OPTIONS")},
      {"UBSAN_OPTIONS", merged(kUbsan, "UBSAN_OPTIONS")},
  };
}

}  // namespace conclab
