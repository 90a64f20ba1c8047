// Bug: a lock-free (Treiber) stack pops with compare_exchange(head: top -> top->next). Between
//   reading top->next and the CAS, another thread pops top and the node below it, frees that one,
//   and pushes top back: head is `top` again (A-B-A), so the CAS succeeds with a stale next.
// Symptom: head now points at the freed node; the next pop reads freed memory (every run: gates).
// Fix: a mutex-protected stack: no compare-and-swap on a pointer that can come back.
// Tools: ASan and TSan: heap-use-after-free in pop() (TSan also reports the race on top->next);
//   release: the last pop returns whatever malloc left in the freed node, a wrong job.
#include <atomic>
#include <memory>
#include <thread>

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
    node->next = head_.load(std::memory_order_relaxed);
    while (!head_.compare_exchange_weak(node->next, node, std::memory_order_release,
                                        std::memory_order_relaxed)) {
    }
  }

  // Given gates, pauses between reading top->next and the CAS that installs it as the head.
  Node* pop(Gate* read_next = nullptr, Gate* resume = nullptr) {
    Node* top = head_.load(std::memory_order_acquire);
    while (top != nullptr) {
      Node* next = top->next;
      if (read_next != nullptr) {
        read_next->open();
        resume->wait(std::chrono::seconds(1));
        read_next = nullptr;
      }
      // Succeeds whenever head == top, even if top was popped and pushed back meanwhile.
      if (head_.compare_exchange_strong(top, next, std::memory_order_acquire)) break;
    }
    return top;
  }

 private:
  std::atomic<Node*> head_{nullptr};
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
    jobs.push(postponed);  // back on top: the head is the very node A read, once again
    b_done.open();
  });
  a.join();
  b.join();
  const std::unique_ptr<Node> last(jobs.pop());
  const long left_job = last != nullptr ? last->job : 0;
  return conclab::fixture::expect_eq(left_job, 1 + 2 + 3 - a_job - b_job, "job left on the stack");
}
