// baseline: the findings of an earlier report are known; only new ones make a run's outcome.
// A CI job keeps the report of its main branch and judges a change by what it adds.
#pragma once

#include <filesystem>
#include <set>
#include <string>

#include "judge/verdict.hpp"

namespace conclab {

// The fingerprints in an earlier report: conclab's JSON (`run --json`, `run --gtest --json`, `check --json`'s array)
// or SARIF (`partialFingerprints["conclab/v1"]`). Throws HarnessError naming the file and the
// problem when it cannot be read or holds neither.
std::set<std::string> load_baseline(const std::filesystem::path& file);

// Marks the findings whose fingerprint is known and decides the outcome from the others. What the
// watchdog found (a stuck run, a time or CPU limit, orphans, leftovers) is never marked: a run
// that did not finish, or left something behind, is not hidden by a baseline. Neither is a bare
// exit status or signal with no place in it (any later crash would match it).
void apply_baseline(Judgement& judgement, const std::set<std::string>& known);

}  // namespace conclab
