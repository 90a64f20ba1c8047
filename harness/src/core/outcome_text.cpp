#include "core/outcome_text.hpp"

namespace conclab {

std::string_view outcome_meaning(Outcome o) {
  switch (o) {
    case Outcome::clean: return "No report, no failed invariant, exit status 0.";
    case Outcome::deadlock: return "A wait-for cycle inside one process: every thread in it waits for another one in it.";
    case Outcome::ipc_deadlock: return "A wait-for cycle across processes (pipes, sockets, waitpid).";
    case Outcome::hang: return "Every thread blocked for good without a cycle (a lost wake-up, a reader holding its own write end...).";
    case Outcome::heap_use_after_free: return "Memory on the heap used after it was freed.";
    case Outcome::double_free: return "Memory freed twice.";
    case Outcome::heap_buffer_overflow: return "An access past the end of a heap block.";
    case Outcome::stack_buffer_overflow: return "An access past the end of a stack object.";
    case Outcome::global_buffer_overflow: return "An access past the end of a global object.";
    case Outcome::stack_use_after_return: return "A stack frame's memory used after its function returned.";
    case Outcome::stack_use_after_scope: return "A local used after its scope ended.";
    case Outcome::memory_error: return "Another AddressSanitizer error.";
    case Outcome::data_race: return "Two threads access the same memory, at least one writes, and nothing orders them.";
    case Outcome::lock_order_inversion: return "Locks taken in opposite orders by different threads: a deadlock waiting to happen.";
    case Outcome::mutex_misuse: return "A mutex used wrongly: unlocked when not locked, destroyed while locked, locked twice...";
    case Outcome::signal_unsafe_call: return "A call that is not async-signal-safe inside a signal handler.";
    case Outcome::thread_safety_warning: return "Clang's thread-safety analysis found data used without the mutex that guards it, or a lock misused.";
    case Outcome::lint_warning: return "clang-tidy's concurrency checks flagged the source: a call that is not thread-safe, a wait without a loop, a descriptor without close-on-exec, a lock held across co_await.";
    case Outcome::loop_stall: return "A handler of the event loop ran longer than the limit while other handlers waited: every connection the loop serves stood still meanwhile.";
    case Outcome::undefined_behavior: return "Undefined behaviour found by UndefinedBehaviorSanitizer.";
    case Outcome::crash: return "The program died of a fatal signal.";
    case Outcome::timeout: return "Still running at the time limit, and not stuck.";
    case Outcome::thread_leak: return "A thread neither joined nor detached.";
    case Outcome::memory_leak: return "Memory never freed.";
    case Outcome::orphan_process: return "A process the program started still ran after the program ended.";
    case Outcome::ipc_leak: return "A shared-memory object, semaphore or temporary file left behind.";
    case Outcome::wrong_result: return "The program's own check of its result failed (CONCLAB_WRONG_RESULT).";
    case Outcome::exit_nonzero: return "The program exited with a non-zero status.";
    case Outcome::tool_error: return "The detector could not run the program as written (e.g. a system call valgrind does not know): the run says nothing about the program.";
  }
  return "";
}

std::string_view outcome_level(Outcome o) {
  switch (o) {
    case Outcome::thread_leak:
    case Outcome::memory_leak:
    case Outcome::orphan_process:
    case Outcome::ipc_leak:
    case Outcome::timeout:
    case Outcome::exit_nonzero:
      return "warning";
    default:
      return "error";
  }
}

}  // namespace conclab
