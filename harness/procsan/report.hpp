// procsan's report channel: findings appended to the file named by CONCLAB_PROCSAN_LOG, each one
// write(2) with O_APPEND, so that the findings of every process of a run's tree (inherited across
// fork and exec) land whole in one file. Nothing here allocates: it runs in fork children, in
// exec's path and in exit handlers (docs/procsan.md has the format).
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace conclab::procsan {

inline constexpr int kMaxFrames = 24;

struct Stack {
  void* frames[kMaxFrames];
  int size = 0;
};

// The calling thread's stack, from the program's own call (procsan's frames left out).
void capture(Stack& stack) noexcept;

// One finding: its kind (an outcome name), a one-line message, the stack of the call that caused
// it and, when the cause was earlier (the fork a child's lock follows), that call's stack too.
void report(const char* kind, const char* message, const Stack& at, const Stack* cause = nullptr) noexcept;

// snprintf into a fixed buffer, never failing: for messages.
template <std::size_t N, typename... Args>
const char* format(char (&buffer)[N], const char* fmt, Args... args) noexcept;

}  // namespace conclab::procsan

#include <cstdio>

template <std::size_t N, typename... Args>
const char* conclab::procsan::format(char (&buffer)[N], const char* fmt, Args... args) noexcept {
  if (std::snprintf(buffer, N, fmt, args...) < 0) buffer[0] = '\0';
  return buffer;
}
