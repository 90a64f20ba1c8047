// What the fuzz targets share: a contract check that stops the fuzzer with a message.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace conclab::fuzz {

// libFuzzer reports an abort as a crash and keeps the input that caused it.
inline void require(bool ok, const char* contract) {
  if (ok) return;
  std::fprintf(stderr, "conclab fuzz: contract broken: %s\n", contract);
  std::abort();
}

// No control character: what reaches a terminal or a one-line summary.
inline bool printable(std::string_view s) {
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return false;
  }
  return true;
}

}  // namespace conclab::fuzz
