#include "core/outcome.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>

namespace conclab {
namespace {

constexpr std::array kAllOutcomes{
    Outcome::clean,
    Outcome::deadlock,
    Outcome::ipc_deadlock,
    Outcome::hang,
    Outcome::heap_use_after_free,
    Outcome::double_free,
    Outcome::heap_buffer_overflow,
    Outcome::stack_buffer_overflow,
    Outcome::global_buffer_overflow,
    Outcome::stack_use_after_return,
    Outcome::stack_use_after_scope,
    Outcome::memory_error,
    Outcome::data_race,
    Outcome::lock_order_inversion,
    Outcome::mutex_misuse,
    Outcome::signal_unsafe_call,
    Outcome::thread_safety_warning,
    Outcome::lint_warning,
    Outcome::loop_stall,
    Outcome::undefined_behavior,
    Outcome::crash,
    Outcome::timeout,
    Outcome::thread_leak,
    Outcome::memory_leak,
    Outcome::orphan_process,
    Outcome::ipc_leak,
    Outcome::wrong_result,
    Outcome::exit_nonzero,
    Outcome::tool_error,
};

// True when lexically_normal would give the path back unchanged: no empty ("//"), "." or ".."
// component. Most paths in a report are; building a std::filesystem::path for each frame's file
// was the costliest step of own_frames.
bool is_lexically_normal(std::string_view path) {
  if (path.find("//") != std::string_view::npos) return false;
  while (!path.empty()) {
    const auto slash = path.find('/');
    const auto part = path.substr(0, slash);
    if (part == "." || part == "..") return false;
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return true;
}

// Where the toolchain and the sanitizer runtimes keep their code: nobody debugs a case there.
bool is_library_file(std::string_view file) {
  // clang prints libstdc++ headers as /usr/bin/../lib/gcc/<triple>/12/../../../../include/c++/...
  std::string normalized;
  std::string_view normal = file;
  if (!is_lexically_normal(file)) normal = normalized = std::filesystem::path(file).lexically_normal().generic_string();
  if (normal.starts_with("/usr/include/") || normal.starts_with("/usr/lib/")) return true;
  // GoogleTest's own sources, built into a test binary (from /usr/src/googletest, or a project's
  // copy): its frames around a test body are the framework's, not the program's.
  constexpr std::array kRuntimeParts{"libsanitizer", "compiler-rt", "sysdeps", "nptl", "csu/",
                                     "googletest/src/", "googletest/include/gtest/", "googlemock/src/",
                                     "googlemock/include/gmock/"};
  if (std::any_of(kRuntimeParts.begin(), kRuntimeParts.end(),
                  [&](const char* part) { return normal.find(part) != std::string_view::npos; }))
    return true;
  // glibc's debug info names its sources relative to its tree: ./libio/fileops.c, ./stdio-common/...
  constexpr std::array kGlibcDirs{"libio/", "stdio-common/", "string/", "malloc/", "posix/", "misc/",
                                  "stdlib/", "elf/", "io/", "signal/", "socket/", "time/", "dirent/"};
  return normal.find('/') != std::string_view::npos &&
         std::any_of(kGlibcDirs.begin(), kGlibcDirs.end(), [&](const char* dir) { return normal.starts_with(dir); });
}

bool is_library_module(std::string_view module) {
  constexpr std::array kLibraries{"libstdc++.", "libc.", "libc-", "libtsan.", "libasan.", "libubsan.", "liblsan."};
  return std::any_of(kLibraries.begin(), kLibraries.end(),
                     [&](const char* library) { return module.starts_with(library); });
}

// Reserved names (__invoke_impl, __interceptor_free) and libstdc++ members (_M_run).
// _start gets a source line of the program from eu-stack, but is the C runtime's entry point.
bool is_library_function(std::string_view function) {
  return function.starts_with("std::") || function.starts_with("__") || function.starts_with("_M_") ||
         function == "_start";
}

bool is_own(const Frame& frame) {
  if (frame.file.empty() || frame.file == "<null>") return false;
  return !is_library_file(frame.file) && !is_library_module(frame.module) && !is_library_function(frame.function);
}

}  // namespace

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::clean: return "clean";
    case Outcome::deadlock: return "deadlock";
    case Outcome::ipc_deadlock: return "ipc_deadlock";
    case Outcome::hang: return "hang";
    case Outcome::heap_use_after_free: return "heap_use_after_free";
    case Outcome::double_free: return "double_free";
    case Outcome::heap_buffer_overflow: return "heap_buffer_overflow";
    case Outcome::stack_buffer_overflow: return "stack_buffer_overflow";
    case Outcome::global_buffer_overflow: return "global_buffer_overflow";
    case Outcome::stack_use_after_return: return "stack_use_after_return";
    case Outcome::stack_use_after_scope: return "stack_use_after_scope";
    case Outcome::memory_error: return "memory_error";
    case Outcome::data_race: return "data_race";
    case Outcome::lock_order_inversion: return "lock_order_inversion";
    case Outcome::mutex_misuse: return "mutex_misuse";
    case Outcome::signal_unsafe_call: return "signal_unsafe_call";
    case Outcome::thread_safety_warning: return "thread_safety_warning";
    case Outcome::lint_warning: return "lint_warning";
    case Outcome::loop_stall: return "loop_stall";
    case Outcome::undefined_behavior: return "undefined_behavior";
    case Outcome::crash: return "crash";
    case Outcome::timeout: return "timeout";
    case Outcome::thread_leak: return "thread_leak";
    case Outcome::memory_leak: return "memory_leak";
    case Outcome::orphan_process: return "orphan_process";
    case Outcome::ipc_leak: return "ipc_leak";
    case Outcome::wrong_result: return "wrong_result";
    case Outcome::exit_nonzero: return "exit_nonzero";
    case Outcome::tool_error: return "tool_error";
  }
  return "clean";  // unreachable for a valid enumerator; -Wswitch flags a missing case
}

std::optional<Outcome> outcome_from_string(std::string_view name) {
  for (Outcome outcome : kAllOutcomes)
    if (to_string(outcome) == name) return outcome;
  return std::nullopt;
}

std::span<const Outcome> all_outcomes() { return kAllOutcomes; }

// Outcomes of one group share a level, so the first such finding of a run decides among them.
int priority(Outcome outcome) {
  switch (outcome) {
    case Outcome::deadlock:
    case Outcome::ipc_deadlock:
    case Outcome::hang: return 14;
    case Outcome::heap_use_after_free:
    case Outcome::double_free:
    case Outcome::heap_buffer_overflow:
    case Outcome::stack_buffer_overflow:
    case Outcome::global_buffer_overflow:
    case Outcome::stack_use_after_return:
    case Outcome::stack_use_after_scope:
    case Outcome::memory_error: return 13;
    case Outcome::data_race: return 12;
    case Outcome::lock_order_inversion:
    case Outcome::thread_safety_warning:
    case Outcome::lint_warning: return 11;
    case Outcome::mutex_misuse: return 10;
    case Outcome::signal_unsafe_call: return 9;
    case Outcome::undefined_behavior: return 8;
    case Outcome::crash: return 7;
    // A handler that held the event loop names why the program was slow or ran out of time.
    case Outcome::loop_stall: return 6;
    case Outcome::timeout: return 5;
    case Outcome::thread_leak:
    case Outcome::orphan_process: return 4;
    case Outcome::memory_leak:
    case Outcome::ipc_leak: return 3;
    case Outcome::wrong_result: return 2;
    case Outcome::exit_nonzero: return 1;
    // Above all: when the tool could not run the program as written, nothing the run showed is
    // about the program (a crash may be the tool's: Boost.Process aborting on ENOSYS).
    case Outcome::tool_error: return 20;
    case Outcome::clean: return 0;
  }
  return 0;
}

std::vector<Frame> own_frames(const std::vector<Frame>& frames, std::size_t at_most) {
  std::vector<Frame> own;
  for (const Frame& frame : frames) {
    if (own.size() >= at_most) break;
    if (is_own(frame)) own.push_back(frame);
  }
  return own;
}

std::string signal_name(int signo) {
  const char* abbrev = sigabbrev_np(signo);  // glibc 2.32+; nullptr for numbers without a name
  return abbrev != nullptr ? std::string("SIG") + abbrev : "SIG" + std::to_string(signo);
}

}  // namespace conclab
