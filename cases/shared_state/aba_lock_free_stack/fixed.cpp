// Bug: a lock-free (Treiber) stack pops with compare_exchange(head: top -> top->next). Between
//   reading top->next and the CAS, another thread pops top and the node below it, frees that one,
//   and pushes top back: head is `top` again (A-B-A), so the CAS succeeds with a stale next.
// Symptom: head now points at the freed node; the next pop reads freed memory (every run: gates).
// Fix: a mutex-protected stack: no compare-and-swap on a pointer that can come back.
// Tools: ASan and TSan: heap-use-after-free in pop() (TSan also reports the race on top->next);
//   release: the last pop returns whatever malloc left in the freed node, a wrong job.
#include <memory>
#include <mutex>
#include <thread>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

struct Node {
  Node* next;
  long job;
};

class JobStack {
 public:
  void push(Node* node) {
    std::lock_guard lock(mutex_);
    node->next = head_;
    head_ = node;
  }

  // Given gates, pauses between reading top->next and installing it as the head. Holding the
  // lock, so the other thread cannot get in: the pause runs out its 1 s soft limit.
  Node* pop(Gate* read_next = nullptr, Gate* resume = nullptr) {
    std::lock_guard lock(mutex_);
    Node* top = head_;
    if (top != nullptr) {
      Node* next = top->next;
      if (read_next != nullptr) {
        read_next->open();
        resume->wait(std::chrono::seconds(1));
      }
      head_ = next;
    }
    return top;
  }

 private:
  std::mutex mutex_;
  Node* head_ CONCLAB_GUARDED_BY(mutex_) = nullptr;
};

int main() {
  JobStack jobs;
  for (long job = 3; job >= 1; --job) jobs.push(new Node{nullptr, job});  // top: 1, 2, 3
  Gate a_read_next, b_done;
  long a_job = 0, b_job = 0;
  std::thread a([&] {
    Node* node = jobs.pop(&a_read_next, &b_done);
    a_job = node->job;
    delete node;
  });
  std::thread b([&] {
    a_read_next.wait();
    Node* postponed = jobs.pop();
    Node* done = jobs.pop();
    b_job = done->job;
    delete done;
    jobs.push(postponed);  // back on top: harmless now, A's pop is already complete
    b_done.open();
  });
  a.join();
  b.join();
  const std::unique_ptr<Node> last(jobs.pop());
  const long left_job = last != nullptr ? last->job : 0;
  return conclab::fixture::expect_eq(left_job, 1 + 2 + 3 - a_job - b_job, "job left on the stack");
}
