// Bug (fixed here): the lock-free stack popped with compare_exchange(head: top -> top->next), and
//   the CAS succeeded when `top` had been popped and pushed back meanwhile (A-B-A), installing a
//   stale next that pointed at a freed node.
// Symptom was a pop that read freed memory; now every job is taken exactly once.
// Fix: a mutex makes reading top->next and unlinking top one step; no thread can pop, free or
//   push in between. The same gates still pause inside pop, now holding the lock.
// Tools: release, ASan and TSan all report nothing.
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
  Node* head_ GUARDED_BY(mutex_) = nullptr;
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
