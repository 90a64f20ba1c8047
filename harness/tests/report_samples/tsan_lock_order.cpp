// TSan lock-order inversion: lock_ab() takes a then b, lock_ba() b then a; sequential, so no hang.
#include <mutex>

std::mutex a;
std::mutex b;

void lock_ab() {
  std::lock_guard first(a);
  std::lock_guard second(b);
}

void lock_ba() {
  std::lock_guard first(b);
  std::lock_guard second(a);
}

int main() {
  lock_ab();
  lock_ba();
}
