// LSan leak: make_orphan() allocates an int whose only pointer main() then overwrites.
int* volatile holder = nullptr;

int* make_orphan() { return new int(42); }

int main() {
  holder = make_orphan();
  holder = nullptr;
  return 0;
}
