#include "tools/case_run.hpp"

#include <cmath>

#include "run/detector_env.hpp"

namespace conclab {

CaseRun run_and_judge(const RunSpec& spec, const Expectation& expected, Classifier classifier, Judge judge_with) {
  CaseRun r;
  r.expected = expected;
  r.run = run_program(spec);
  r.judgement = classifier(r.run);
  r.check = judge_with(r.judgement, expected);
  return r;
}

std::vector<std::string> case_argv(const Catalog& catalog, const Case& c, const std::string& variant,
                                   const Expectation& expected) {
  std::vector<std::string> argv{catalog.binary(c, variant).string()};
  argv.insert(argv.end(), expected.args.begin(), expected.args.end());
  return argv;
}

CaseRun run_case(const Catalog& catalog, const Case& c, const std::string& variant) {
  return run_case(catalog, c, variant, c.manifest.expectation(variant, catalog.tool()));
}

CaseRun run_case(const Catalog& catalog, const Case& c, const std::string& variant, const Expectation& expected) {
  RunSpec spec;
  spec.argv = case_argv(catalog, c, variant, expected);
  spec.timeout = std::chrono::milliseconds(std::llround(c.manifest.timeout_for(expected) * 1000));
  spec.loop_stall_ms = c.manifest.loop_stall_ms;
  spec.env = detector_env();
  return run_and_judge(spec, expected);
}

}  // namespace conclab
