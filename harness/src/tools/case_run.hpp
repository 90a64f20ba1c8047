// case_run: one variant of one case, run under a tool and judged against its manifest; the tail
// every tool shares (run a spec, classify, judge) and the plain run of a tree's own tool.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/catalog.hpp"
#include "run/spawn.hpp"
#include "judge/verdict.hpp"

namespace conclab {

struct CaseRun {
  Expectation expected;
  RunResult run;
  Judgement judgement;
  Check check;
  // What a tool adds beyond one run, e.g. stress's seed search (docs/json-report.md): written to
  // JSON under the tool's name; null for a plain run. `note` is the same for people, one line.
  nlohmann::json detail;
  std::string note;
};

// How a tool reads a run, and how it holds the reading against an expectation.
using Classifier = Judgement (*)(const RunResult& run);
using Judge = Check (*)(const Judgement& judgement, const Expectation& expected);

// Runs `spec`, classifies the run and judges it: the tail of every tool's run_case.
CaseRun run_and_judge(const RunSpec& spec, const Expectation& expected, Classifier classifier = classify,
                      Judge judge_with = judge);

// The case's binary and its declared arguments: where every run of a case starts.
std::vector<std::string> case_argv(const Catalog& catalog, const Case& c, const std::string& variant,
                                   const Expectation& expected);

// A tree's own tool (release, tsan, asan): the binary as built, under the detectors' environment.
// Throws HarnessError/ManifestError for a missing binary or an undeclared variant/tool.
CaseRun run_case(const Catalog& catalog, const Case& c, const std::string& variant);
CaseRun run_case(const Catalog& catalog, const Case& c, const std::string& variant, const Expectation& expected);

}  // namespace conclab
