// Fuzz target: the Helgrind and DRD report parser (valgrind_reports), which reads a run's stderr
// under valgrind, program output included. Beyond "no crash, leak, UB or time-out": every string
// of a finding is printable ASCII, so that the JSON report can hold it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "judge/valgrind_reports.hpp"

using conclab::fuzz::printable;
using conclab::fuzz::require;

namespace {

bool ascii(std::string_view s) {
  for (const char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return printable(s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& finding : conclab::valgrind::parse(text)) {
    require(ascii(finding.summary), "a summary is printable ASCII");
    require(finding.tool == "helgrind" || finding.tool == "drd", "a finding is Helgrind's or DRD's");
    for (const auto& frame : finding.frames) {
      require(ascii(frame.function) && ascii(frame.file) && ascii(frame.module), "a frame is printable ASCII");
      require(frame.line >= 0, "a frame's line is not negative");
    }
  }
  return 0;
}
