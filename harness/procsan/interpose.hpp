// How procsan's interceptors reach the function they stand in for: the next definition in the
// dynamic linker's search order (glibc's, or a sanitizer's interceptor), looked up once.
#pragma once

#include <dlfcn.h>

namespace conclab::procsan {

template <typename F>
F next(const char* name) noexcept {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

// Defined in fork_checks.cpp: this process is a fork child that has not exec'd, of a parent that
// had other threads at the fork. The mutex interceptors report its first lock.
bool child_of_threaded_fork() noexcept;
// Reports, once, that such a child called `what` (not async-signal-safe) before exec or _exit: at
// the call's own stack, or at the fork's when the call's is not worth taking (in an exit handler).
void report_unsafe_call_after_fork(const char* what, bool at_the_call = true) noexcept;

}  // namespace conclab::procsan
