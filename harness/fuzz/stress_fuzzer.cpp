// Fuzz target: stress's reading of a program's stderr (parse_marker) — the scheduler's start line
// and the end line each process prints — and PCT's bound computed from what it read. The stderr is
// the program's: any bytes, any lines, markers cut short or repeated by forked children.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "tools/stress.hpp"

namespace stress = conclab::stress;
using conclab::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto m = stress::parse_marker(text);
  if (text.find("CONCLAB_STRESS: seed=") == std::string::npos) require(!m.started, "no start line, not started");
  for (const auto& count : {m.threads, m.steps, m.parks})
    require(!count || *count >= 0, "a count is the largest printed, never below zero");

  // A well-formed end line appended is read whatever came before: counts keep the largest.
  const auto more = stress::parse_marker(text + "\nCONCLAB_STRESS_END: threads=7 steps=9 parks=0\n");
  require(more.threads && *more.threads >= 7 && more.steps && *more.steps >= 9, "an end line is never lost");
  require(more.started == m.started && more.seed == m.seed, "an end line does not change the start");

  const double bound = stress::pct_bound(m.threads.value_or(0), m.steps.value_or(0), m.depth);
  require(!std::isnan(bound) && bound >= 0.0 && bound <= 1.0, "PCT's bound is a probability");
  return 0;
}
