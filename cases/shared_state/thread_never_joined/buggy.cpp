// Bug: the server starts a pthread per request and forgets it: never pthread_join'ed, never
//   detached. When the thread returns, its stack and descriptor stay allocated (a zombie thread)
//   until someone joins it, which no one ever will.
// Symptom: none you can see in one run; a server leaking one thread per request runs out of
//   memory or threads eventually. main even sees the thread gone from the kernel: still leaked.
// Fix: pthread_join it (or detach it, if no one needs to wait for it).
// Tools: TSan reports "thread leak" at exit, naming the pthread_create in main; release and ASan
//   report nothing.
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "conclab/invariant.hpp"

struct Request {
  int id;
  long response = 0;
};

std::atomic<pid_t> handler_tid{0};

void* handle_request(void* arg) {
  auto* request = static_cast<Request*>(arg);
  request->response = request->id * 2L;
  handler_tid.store(gettid(), std::memory_order_release);
  return nullptr;
}

// Stands in for the rest of the server's life, by the end of which the handler has long since
// returned: waits until the kernel has no such thread any more (signal 0 only checks for it).
void wait_until_gone() {
  pid_t tid;
  while ((tid = handler_tid.load(std::memory_order_acquire)) == 0) std::this_thread::yield();
  while (syscall(SYS_tgkill, getpid(), tid, 0) == 0) std::this_thread::yield();
}

int main() {
  Request request{21};
  pthread_t handler;
  if (pthread_create(&handler, nullptr, handle_request, &request) != 0) return 2;
  wait_until_gone();
  return conclab::fixture::expect_eq(request.response, 42, "response");
}
