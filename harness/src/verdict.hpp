// verdict: turns how a run ended and what the tools printed into one outcome, and judges it
// against what a case declares.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "manifest.hpp"
#include "outcome.hpp"
#include "spawn.hpp"

namespace conclab {

struct Judgement {
  Outcome outcome = Outcome::clean;
  std::vector<Finding> findings;  // in the order the run produced them
  std::optional<int> signal;      // the fatal signal: from the kernel, or as a sanitizer reported it

  // The finding that decided the outcome; nullptr when clean.
  const Finding* deciding() const;
};

Judgement classify(const RunResult& run);

struct Check {
  bool passed = false;
  std::string reason;  // one line, e.g. "expected data_race, got clean"
};

Check judge(const Judgement& judgement, const Expectation& expected);

}  // namespace conclab
