// TSan SEGV: poke() reads through a null pointer that the optimizer cannot see is null.
int* volatile nowhere = nullptr;

int poke() { return *nowhere; }

int main() { return poke(); }
