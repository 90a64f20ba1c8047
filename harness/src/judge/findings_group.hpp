// findings_group: one finding per bug, however many times the tool reported it, and a fingerprint
// that names the bug across runs (for --baseline and SARIF's partialFingerprints).
#pragma once

#include <string>
#include <vector>

#include "core/outcome.hpp"

namespace conclab {

// The fingerprint of a finding: its kind, its tool and the innermost frame in the program's own
// code of each access it reports (file name, line and function), in sorted order; without such a
// frame, its summary with every number masked. No address, thread id or report order goes in, so
// the same bug gives the same fingerprint run after run. 16 hex digits (FNV-1a, 64 bits).
std::string fingerprint_of(const Finding& finding);

// Findings with the same fingerprint merged into the first of them, in the order they first
// appeared: `count` sums the reports, `paths` keeps each distinct call path (at most 32).
// Every finding returned has its fingerprint set.
std::vector<Finding> group_findings(std::vector<Finding> findings);

}  // namespace conclab
