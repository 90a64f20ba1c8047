// `conclab run --gtest`: a GoogleTest binary judged test by test. The tests are listed with
// --gtest_list_tests, then each runs alone (--gtest_filter=NAME) as its own judged run, in its own
// process group, `jobs` at a time: a race or a hang in one test is that test's, and a failing
// test is named with GoogleTest's own message.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <nlohmann/json.hpp>

#include "judge/baseline.hpp"
#include "core/build_info.hpp"
#include "commands.hpp"
#include "judge/findings_group.hpp"
#include "judge/gtest_output.hpp"
#include "run/interrupt.hpp"
#include "report/json_report.hpp"
#include "report/junit_report.hpp"
#include "parallel.hpp"
#include "render.hpp"
#include "run_outputs.hpp"
#include "report/run_record.hpp"
#include "report/sarif_report.hpp"
#include "judge/suppressions.hpp"

namespace conclab::cli {
namespace {

constexpr double kListTimeoutS = 60;

struct TestRun {
  std::string name;
  RunResult run;
  Judgement judgement;
  std::string status;  // "passed", "failed", "skipped", "unfinished" (ran, never ended), "not_run"
  std::string failure;  // GoogleTest's failure text
};

std::string first_line(const std::string& text) {
  const auto start = text.find_first_not_of(" \n");
  if (start == std::string::npos) return {};
  return text.substr(start, std::min<std::size_t>(text.find('\n', start) - start, 200));
}

// The tests the program lists with the user's own arguments (their --gtest_filter selects).
std::vector<std::string> list_tests(const RunArgs& args) {
  auto spec = run_spec(args);
  spec.argv.push_back("--gtest_list_tests");
  spec.timeout = std::min(spec.timeout, std::chrono::milliseconds(static_cast<long>(kListTimeoutS * 1000)));
  const auto program = args.argv.front();
  const auto listing = run_program(spec);
  if (listing.interrupted_by) return {};
  if (listing.timed_out || listing.hang)
    throw HarnessError(fmt::format("--gtest: '{} --gtest_list_tests' did not end within {:.0f} s", program,
                                   std::chrono::duration<double>(spec.timeout).count()));
  const bool with_disabled = std::find(args.argv.begin(), args.argv.end(), "--gtest_also_run_disabled_tests") != args.argv.end();
  auto tests = gtest::parse_list(listing.out.text, with_disabled);
  // A sanitizer's report at exit (a leak in a static initializer, a race in a global's
  // destructor) fails the listing too; every test's own run will show it.
  if (!tests.empty()) {
    if (listing.exit_code != 0)
      fmt::print("note: '{} --gtest_list_tests' listed {} tests and then {}: each test's run is judged with it\n", program,
                 tests.size(), describe_exit(listing));
    return tests;
  }
  if (listing.exit_code != 0)
    throw HarnessError(fmt::format("--gtest: '{} --gtest_list_tests' {}{}", program, describe_exit(listing),
                                   first_line(listing.err.text).empty() ? "" : ": " + first_line(listing.err.text)));
  // An empty list: a GoogleTest binary whose filter selects nothing, or not a GoogleTest binary.
  auto help = run_spec(args);
  help.argv = {program, "--gtest_help"};
  help.timeout = spec.timeout;
  const auto probe = run_program(help);
  if (probe.out.text.find("Google Test") == std::string::npos && probe.out.text.find("GoogleTest") == std::string::npos)
    throw HarnessError(fmt::format("--gtest: '{}' is not a GoogleTest binary (--gtest_list_tests listed no test, --gtest_help is not GoogleTest's)", program));
  throw HarnessError(fmt::format("--gtest: '{}' lists no test to run (its --gtest_filter selects none, or every test is DISABLED_)", program));
}

// The test's own result joins the judgement: a failed test is named with GoogleTest's message;
// a listed test that never started is a tool error, not a pass.
void judge_test(TestRun& t) {
  const auto result = gtest::parse_result(t.run.out.text, t.name);
  t.failure = result.failure;
  auto& findings = t.judgement.findings;
  const auto exit_finding = std::find_if(findings.begin(), findings.end(), [](const Finding& f) {
    return f.kind == Outcome::exit_nonzero && f.tool == "program";
  });
  if (result.failed) {
    t.status = "failed";
    const auto summary = fmt::format("{} failed{}", t.name, result.failure.empty() ? "" : ": " + gtest::failure_headline(result.failure));
    Finding failed{Outcome::exit_nonzero, "gtest", summary, {}, {}};
    if (exit_finding != findings.end()) *exit_finding = failed;
    else findings.push_back(failed);
  } else if (result.unfinished) {
    t.status = "unfinished";  // it started and never ended: what ended the run says why, if anything does
  } else if (result.passed) {
    t.status = "passed";
  } else if (result.skipped) {
    t.status = "skipped";
  } else {
    t.status = "not_run";
    if (!t.run.signal && !t.run.timed_out && !t.run.hang)
      findings.push_back({Outcome::tool_error, "gtest",
                          fmt::format("{} was listed but did not run: no '[ RUN      ] {}' line ({})", t.name, t.name,
                                      describe_exit(t.run)),
                          {}, {}});
  }
  // Failed outside any test body (SetUpTestSuite, a global environment): GoogleTest's message
  // explains the bare exit status.
  const auto bare_exit = std::find_if(findings.begin(), findings.end(), [](const Finding& f) {
    return f.kind == Outcome::exit_nonzero && f.tool == "program";
  });  // looked up again: a finding may have been added since
  if (!result.failed && bare_exit != findings.end()) {
    t.failure = gtest::first_failure(t.run.out.text);
    if (!t.failure.empty())
      *bare_exit = {Outcome::exit_nonzero, "gtest",
                       fmt::format("{}: GoogleTest failed outside the test body (its suite's or environment's set-up or "
                                   "tear-down): {}", t.name, gtest::failure_headline(t.failure)),
                       {}, {}};
  }
  for (auto& f : findings) f.fingerprint = fingerprint_of(f);
  decide_outcome(t.judgement);
  // exit(0) inside the test, or stdout closed: GoogleTest never said how it went (it counts a
  // premature exit as a failure too), so it is not clean.
  if (result.unfinished && t.judgement.outcome == Outcome::clean) {
    Finding never_finished{Outcome::exit_nonzero, "gtest",
                           fmt::format("{} never finished: the process ended inside the test ({}) before GoogleTest "
                                       "reported a result{}", t.name, describe_exit(t.run),
                                       result.failure.empty() ? "" : "; it had failed: " + gtest::failure_headline(result.failure)),
                           {}, {}};
    never_finished.fingerprint = fingerprint_of(never_finished);
    findings.push_back(std::move(never_finished));
    decide_outcome(t.judgement);
  }
}

RunRecord record_of(const TestRun& t) {
  return {t.name, "gtest", build_info::kTool, {}, {}, t.judgement, t.run.hang, t.run.duration_s, describe_exit(t.run),
          t.judgement.outcome == Outcome::clean, t.failure.empty() ? std::string(to_string(t.judgement.outcome))
                                                                   : gtest::failure_headline(t.failure)};
}

nlohmann::json report_of(const RunArgs& args, const std::vector<TestRun>& tests, std::size_t listed, Outcome worst,
                         double seconds, int interrupted) {
  auto items = nlohmann::json::array();
  for (const auto& t : tests) {
    auto one = to_json(t.run, t.judgement);
    one["name"] = t.name;
    one["status"] = t.status;
    if (!t.failure.empty()) one["failure"] = t.failure;
    items.push_back(std::move(one));
  }
  nlohmann::json report = {{"program", args.argv},
                           {"gtest", {{"tests", listed}, {"ran", tests.size()}, {"jobs", args.jobs}}},
                           {"outcome", to_string(worst)},
                           {"duration_s", seconds},
                           {"tests", std::move(items)}};
  if (!args.baseline.empty()) report["baseline"] = args.baseline;
  if (!args.keep_output.empty()) report["output_dir"] = args.keep_output;
  report["interrupted"] = interrupted ? nlohmann::json(signal_name(interrupted)) : nlohmann::json(nullptr);
  report["complete"] = !interrupted && tests.size() == listed;  // false: not every listed test ran
  return report;
}

void print_table(const std::vector<TestRun>& tests) {
  std::size_t width = 4;
  for (const auto& t : tests) width = std::max(width, t.name.size());
  fmt::print("\n{:<{}} {:<22} {:<10} {:>8}\n", "test", width, "outcome", "gtest", "time");
  std::size_t clean = 0, cut = 0;
  for (const auto& t : tests) {
    clean += !t.run.interrupted_by && t.judgement.outcome == Outcome::clean;
    cut += t.run.interrupted_by.has_value();
    const std::string outcome = t.run.interrupted_by ? "(interrupted)" : std::string(to_string(t.judgement.outcome));
    fmt::print("{:<{}} {:<22} {:<10} {:>7.2f}s\n", t.name, width, outcome, t.status, t.run.duration_s);
  }
  fmt::print("\n{} tests, {} clean, {} not{}\n", tests.size(), clean, tests.size() - clean - cut,
             cut ? fmt::format(", {} interrupted", cut) : std::string());
}

}  // namespace

int gtest_command(const RunArgs& args) {
  if (args.seed) throw HarnessError("--seed: not with --gtest (to replay one test: --gtest_filter=NAME without --gtest)");
  const auto started = std::chrono::steady_clock::now();
  const auto known = args.baseline.empty() ? std::set<std::string>{} : load_baseline(args.baseline);
  const auto suppressions = args.suppress.empty() ? std::vector<Suppression>{} : load_suppressions(args.suppress);
  if (const auto signo = stop_signal()) return 128 + *signo;
  const auto names = list_tests(args);
  if (const auto signo = stop_signal()) return 128 + *signo;

  std::vector<std::string> base_argv{args.argv.front()};
  const auto rest = gtest::without_selection({args.argv.begin() + 1, args.argv.end()});
  base_argv.insert(base_argv.end(), rest.begin(), rest.end());
  std::vector<TestRun> tests(names.size());
  std::atomic<std::size_t> finished{0};
  std::atomic<int> interrupted{0};
  std::mutex print_mutex;
  // Each test is a run of its own (its own process group).
  const auto run_test = [&](std::size_t i) {
    auto& t = tests[i];
    t.name = names[i];
    auto spec = run_spec(args);
    spec.argv = base_argv;
    spec.argv.push_back("--gtest_filter=" + t.name);
    t.run = run_program(spec);
    if (t.run.interrupted_by) interrupted = *t.run.interrupted_by;
    t.judgement = classify(t.run);
    judge_test(t);
    if (!args.baseline.empty()) apply_baseline(t.judgement, known);
    if (!args.suppress.empty()) apply_suppressions(t.judgement, suppressions);
    const auto* why = t.judgement.deciding();
    std::lock_guard lock(print_mutex);
    if (t.run.interrupted_by)
      fmt::print("[{}/{}] {}: interrupted by {}, its run ended\n", ++finished, names.size(), t.name,
                 signal_name(*t.run.interrupted_by));
    else
      fmt::print("[{}/{}] {}: {} ({}, {:.2f} s){}\n", ++finished, names.size(), t.name, to_string(t.judgement.outcome),
                 t.status, t.run.duration_s, why ? " — " + why->summary : std::string());
    std::fflush(stdout);
  };
  parallel_for(std::min<int>(args.jobs, static_cast<int>(names.size())), names.size(),
               [&] { return interrupted || stop_signal(); }, run_test);
  if (!interrupted)
    if (const auto signo = stop_signal()) interrupted = *signo;
  // Interrupted: the tests that ran (the one cut short marked so) are still reported, the rest not.
  std::erase_if(tests, [](const TestRun& t) { return t.name.empty(); });
  if (interrupted) fmt::print("\ninterrupted by {}: {} of {} tests ran\n", signal_name(interrupted), tests.size(), names.size());

  Outcome worst = Outcome::clean;
  bool all_expected = true;
  for (const auto& t : tests) {
    if (t.run.interrupted_by) continue;  // cut short by the stop: its verdict says nothing of the test
    if (priority(t.judgement.outcome) > priority(worst)) worst = t.judgement.outcome;
    const std::string got(to_string(t.judgement.outcome));
    all_expected = all_expected && std::find(args.expect.begin(), args.expect.end(), got) != args.expect.end();
    if ((t.judgement.outcome == Outcome::clean && !args.show_output) || t.run.interrupted_by) continue;
    fmt::print("\n--- {} ---\n", t.name);
    if (args.show_output) fmt::print("--- stdout ---\n{}--- stderr ---\n{}--- end ---\n", t.run.out.text, t.run.err.text);
    print_verdict(stdout, t.run, t.judgement);
    if (!t.failure.empty()) fmt::print("  GoogleTest said:\n{}", t.failure);
  }
  print_table(tests);
  if (!args.expect.empty())
    fmt::print("expected: every test {} — {}\n", fmt::join(args.expect, " or "), all_expected ? "as expected" : "NOT as expected");

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  bool written = true;
  if (!args.json.empty()) {
    auto report = report_of(args, tests, names.size(), worst, seconds, interrupted);
    if (!args.expect.empty()) report["expected"] = {{"outcomes", args.expect}, {"met", all_expected}};
    written = write_or_report([&] { write_json(args.json, report); });
  }
  if (!args.graph.empty()) {
    const auto stuck = std::find_if(tests.begin(), tests.end(), [](const TestRun& t) { return t.run.hang.has_value(); });
    if (stuck != tests.end()) written = write_or_report([&] { write_graph(args.graph, *stuck->run.hang); }) && written;
  }
  if (!args.keep_output.empty()) {
    for (std::size_t i = 0; i < tests.size(); ++i) {
      const auto dir = std::filesystem::path(args.keep_output) / fmt::format("{:04}-{}", i + 1, gtest::file_name(tests[i].name));
      written = write_or_report([&] { keep_output(dir, tests[i].run); }) && written;
    }
  }
  if (!args.sarif.empty() || !args.junit.empty()) {
    ReportInput input{fmt::format("conclab run --gtest {}", args.argv.front()), build_info::kTool,
                      std::filesystem::current_path(), {}, {}, seconds};
    input.category = args.sarif_category;
    for (const auto& t : tests) input.runs.push_back(record_of(t));
    if (!args.sarif.empty()) written = write_or_report([&] { write_sarif(args.sarif, input); }) && written;
    if (!args.junit.empty()) written = write_or_report([&] { write_junit(args.junit, input); }) && written;
  }
  if (interrupted) return 128 + interrupted;
  if (!written) return 2;
  if (!args.expect.empty()) return all_expected ? 0 : 1;
  return worst == Outcome::clean ? 0 : 1;
}

}  // namespace conclab::cli
