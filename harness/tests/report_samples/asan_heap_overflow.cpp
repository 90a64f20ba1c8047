// ASan heap-buffer-overflow: read_past_end() reads the element just past a 4-int array.
int read_past_end(int past) {
  int* volatile items = new int[4]{1, 2, 3, 4};
  const int value = items[past];
  delete[] items;
  return value;
}

int main(int argc, char**) { return read_past_end(argc + 3); }
