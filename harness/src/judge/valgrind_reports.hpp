// valgrind_reports: turns what Helgrind and DRD print into findings.
#pragma once

#include <string_view>
#include <vector>

#include "core/outcome.hpp"

namespace conclab::valgrind {

// Every Helgrind and DRD error in a run's stderr, in the order printed (lines "==PID== ..."):
//   Helgrind "Possible data race ..."                     -> data_race
//   Helgrind "Thread #N: lock order "A before B" violated" -> lock_order_inversion
//   Helgrind misuse ("unlocked a not-locked lock", "Attempt to re-lock", "pthread_... failed",
//     "Exiting thread still holds", "dubious: associated lock is not held" ...) -> mutex_misuse
//   DRD "Conflicting load|store by thread N ..."           -> data_race
//   DRD mutex, rwlock, condition-variable, semaphore and barrier errors -> mutex_misuse
//   "--PID-- WARNING: unhandled amd64-linux syscall: N", "valgrind: ... failed in UME" -> tool_error
//     (valgrind could not run the program as written; one finding per distinct message, at most 8)
// A finding's frames are the first stack after its header ("at 0x..: fn (file:line)", "by ...").
// Thread announcements, "This conflicts with ..." and other context lines start nothing. The text
// may hold program output or be cut anywhere: this never throws and is linear in its size.
std::vector<Finding> parse(std::string_view text);

}  // namespace conclab::valgrind
