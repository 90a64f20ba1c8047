// Bug: the server starts a pthread per request and forgets it: never pthread_join'ed, never
//   detached. When the thread returns, its stack and descriptor stay allocated (a zombie thread)
//   until someone joins it, which no one ever will.
// Symptom: none you can see in one run; a server leaking one thread per request runs out of
//   memory or threads eventually. main even sees the thread gone from the kernel: still leaked.
// Fix: pthread_join it (or detach it, if no one needs to wait for it).
// Tools: TSan reports "thread leak" at exit, naming the pthread_create in main; release and ASan
//   report nothing.
#include <pthread.h>

#include "conclab/invariant.hpp"

struct Request {
  int id;
  long response = 0;
};

void* handle_request(void* arg) {
  auto* request = static_cast<Request*>(arg);
  request->response = request->id * 2L;
  return nullptr;
}

int main() {
  Request request{21};
  pthread_t handler;
  if (pthread_create(&handler, nullptr, handle_request, &request) != 0) return 2;
  pthread_join(handler, nullptr);
  return conclab::fixture::expect_eq(request.response, 42, "response");
}
