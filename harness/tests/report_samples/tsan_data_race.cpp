// TSan data race: two threads increment a plain int in bump() without a lock.
#include <thread>

int counter = 0;

void bump() {
  for (int i = 0; i < 1000; ++i) counter++;
}

int main() {
  std::thread a(bump);
  std::thread b(bump);
  a.join();
  b.join();
  return counter == 2000 ? 0 : 1;
}
