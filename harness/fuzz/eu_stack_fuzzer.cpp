// Fuzz target: parse_eu_stack, which reads what eu-stack prints about a stuck program's threads
// (function names and source paths come from the program's debug info).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "hang/stacks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& [tid, frames] : conclab::parse_eu_stack(text))
    for (const auto& frame : frames) conclab::fuzz::require(frame.line >= 0, "a frame's line is not negative");
  return 0;
}
