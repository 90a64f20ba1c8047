// UBSan signed integer overflow: add() computes INT_MAX + 1.
#include <climits>

int add(int a, int b) { return a + b; }

int main(int argc, char**) {
  volatile int big = INT_MAX;
  return add(big, argc) == 0 ? 1 : 0;
}
