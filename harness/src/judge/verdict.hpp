// verdict: turns how a run ended and what the tools printed into one outcome, and judges it
// against what a case declares.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/manifest.hpp"
#include "core/outcome.hpp"
#include "run/spawn.hpp"

namespace conclab {

struct Judgement {
  Outcome outcome = Outcome::clean;
  std::vector<Finding> findings;  // in the order the run produced them
  std::optional<int> signal;      // the fatal signal: from the kernel, or as a sanitizer reported it
  // Why the run did not reach its own end ("the CPU-time limit (12 s of CPU) ended it"); empty when
  // it did. Whatever the outcome, such a run was cut short: what it would have done next was not judged.
  std::string cut_short;

  // The finding that decided the outcome; nullptr when clean.
  const Finding* deciding() const;
};

Judgement classify(const RunResult& run);

// The outcome from the findings neither known (--baseline) nor suppressed (--suppress).
void decide_outcome(Judgement& judgement);

// "the CPU-time limit" for limit_hit "cpu", and so on; limit_hit itself when it is not one of ours.
std::string limit_name(const std::string& limit_hit);

struct Check {
  bool passed = false;
  std::string reason;  // one line, e.g. "expected data_race, got clean"
};

Check judge(const Judgement& judgement, const Expectation& expected);

}  // namespace conclab
