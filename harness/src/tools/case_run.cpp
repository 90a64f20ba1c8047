#include "tools/case_run.hpp"

#include <cmath>

#include "run/detector_env.hpp"

namespace conclab {

CaseRun run_case(const Catalog& catalog, const Case& c, const std::string& variant) {
  return run_case(catalog, c, variant, c.manifest.expectation(variant, catalog.tool()));
}

CaseRun run_case(const Catalog& catalog, const Case& c, const std::string& variant, const Expectation& expected) {
  RunSpec spec;
  spec.argv.push_back(catalog.binary(c, variant).string());
  spec.argv.insert(spec.argv.end(), expected.args.begin(), expected.args.end());
  spec.timeout = std::chrono::milliseconds(std::llround(c.manifest.timeout_for(expected) * 1000));
  spec.env = detector_env();

  CaseRun r;
  r.expected = expected;
  r.run = run_program(spec);
  r.judgement = classify(r.run);
  r.check = judge(r.judgement, expected);
  return r;
}

}  // namespace conclab
