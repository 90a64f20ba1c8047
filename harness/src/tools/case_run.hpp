// case_run: one variant of one case, run under this build's tool and judged against its manifest.
#pragma once

#include <string>

#include "core/catalog.hpp"
#include "run/spawn.hpp"
#include "judge/verdict.hpp"

namespace conclab {

struct CaseRun {
  Expectation expected;
  RunResult run;
  Judgement judgement;
  Check check;
};

// Throws HarnessError/ManifestError for a missing binary or an undeclared variant/tool.
CaseRun run_case(const Catalog& catalog, const Case& c, const std::string& variant);
CaseRun run_case(const Catalog& catalog, const Case& c, const std::string& variant, const Expectation& expected);

}  // namespace conclab
