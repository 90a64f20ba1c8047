#include "commands.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <nlohmann/json.hpp>

#include "judge/baseline.hpp"
#include "core/build_info.hpp"
#include "tools/case_run.hpp"
#include "core/catalog.hpp"
#include "run/detector_env.hpp"
#include "exercise/exercise.hpp"
#include "report/html_report.hpp"
#include "run/interrupt.hpp"
#include "report/json_report.hpp"
#include "report/junit_report.hpp"
#include "core/manifest.hpp"
#include "core/output_file.hpp"
#include "parallel.hpp"
#include "render.hpp"
#include "run_outputs.hpp"
#include "report/run_record.hpp"
#include "report/sarif_report.hpp"
#include "tools/registry.hpp"
#include "tools/stress.hpp"
#include "judge/suppressions.hpp"

namespace conclab::cli {
namespace {

int interrupted_status(const RunResult& run) { return 128 + *run.interrupted_by; }

std::vector<std::string> variants_of(const std::optional<std::string>& only) {
  if (only) return {*only};
  return {std::string(kVariants[0]), std::string(kVariants[1])};
}

Expectation expectation_for(const Case& c, const std::string& variant, const std::string& tool,
                            const std::optional<std::string>& override_outcome) {
  Expectation e = c.manifest.expectation(variant, tool);
  if (override_outcome) {
    auto outcome = outcome_from_string(*override_outcome);
    if (!outcome) throw HarnessError(fmt::format("--expect: unknown outcome '{}'", *override_outcome));
    e.outcome = *outcome;
  }
  return e;
}

bool wants_reports(const ReportFiles& files) {
  return !files.html.empty() || !files.sarif.empty() || !files.junit.empty();
}

RunRecord record_of(std::string_view tool, const Case& c, const std::string& variant, const CaseRun& r) {
  return {c.id,           variant,          std::string(tool), c.dir / (variant + ".cpp"), r.expected, r.judgement,
          r.run.hang,     r.run.duration_s, describe_exit(r.run), r.check.passed,           r.check.reason};
}

void write_reports(const ReportFiles& files, const ReportInput& input) {
  if (!files.html.empty()) write_html(files.html, input);
  if (!files.sarif.empty()) write_sarif(files.sarif, input);
  if (!files.junit.empty()) write_junit(files.junit, input);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int run_command(const RunArgs& args) {
  if (args.gtest) return gtest_command(args);
  const auto spec = run_spec(args);
  const auto known = args.baseline.empty() ? std::set<std::string>{} : load_baseline(args.baseline);
  const auto suppressions = args.suppress.empty() ? std::vector<Suppression>{} : load_suppressions(args.suppress);
  if (const auto signo = stop_signal()) {
    fmt::print(stderr, "conclab: stopped by {} before the program started\n", signal_name(*signo));
    return 128 + *signo;
  }
  auto run = run_program(spec);
  // A stop after the program ended (while conclab sweeps, judges, writes) counts as well.
  if (!run.interrupted_by) run.interrupted_by = stop_signal();
  auto judgement = classify(run);
  if (!args.baseline.empty()) apply_baseline(judgement, known);
  if (!args.suppress.empty()) apply_suppressions(judgement, suppressions);
  if (args.show_output) {
    fmt::print("--- stdout ---\n{}--- stderr ---\n{}--- end ---\n", run.out.text, run.err.text);
  }
  print_verdict(stdout, run, judgement);
  const std::string got(to_string(judgement.outcome));
  const bool as_expected = std::find(args.expect.begin(), args.expect.end(), got) != args.expect.end();
  if (!args.expect.empty())
    fmt::print("expected: {} — {}\n", fmt::join(args.expect, " or "), as_expected ? "as expected" : "NOT as expected");
  nlohmann::json stress_json;
  if (args.seed) {
    const auto m = stress::parse_marker(run.err.text);
    if (!m.started) {
      fmt::print("stress: seed {}: the program printed no CONCLAB_STRESS line (no conclab gate in it): nothing perturbed\n",
                 *args.seed);
    } else {
      fmt::print("stress: seed {} depth {} points {}: {}\n", m.seed, m.depth, m.points,
                 m.threads ? fmt::format("{} threads, {} scheduling points, {} waits", *m.threads, m.steps.value_or(0),
                                         m.parks.value_or(0))
                           : std::string("no end line (the program did not exit by itself)"));
    }
    stress_json = {{"seed", *args.seed}, {"depth", args.depth}, {"points", args.points}, {"perturbed", m.started},
                   {"threads", m.threads ? nlohmann::json(*m.threads) : nlohmann::json(nullptr)},
                   {"steps", m.steps ? nlohmann::json(*m.steps) : nlohmann::json(nullptr)},
                   {"parks", m.parks ? nlohmann::json(*m.parks) : nlohmann::json(nullptr)}};
  }
  bool written = true;
  if (!args.json.empty()) {
    auto report = to_json(run, judgement);
    if (args.seed) report["stress"] = stress_json;
    if (!args.expect.empty()) report["expected"] = {{"outcomes", args.expect}, {"met", as_expected}};
    if (!args.keep_output.empty()) report["output_dir"] = args.keep_output;
    if (!args.baseline.empty()) report["baseline"] = args.baseline;
    written = write_or_report([&] { write_json(args.json, report); });
  }
  if (!args.graph.empty() && run.hang) written = write_or_report([&] { write_graph(args.graph, *run.hang); }) && written;
  if (!args.keep_output.empty()) written = write_or_report([&] { keep_output(args.keep_output, run); }) && written;
  if (!args.sarif.empty() || !args.junit.empty()) {
    // One run of a program, in the shape of a case's run: the program is the "case", clean expected.
    RunRecord record{std::filesystem::path(args.argv.front()).filename().string(), "run", build_info::kTool, args.argv.front(),
                     {}, judgement, run.hang, run.duration_s, describe_exit(run), judgement.outcome == Outcome::clean,
                     std::string(to_string(judgement.outcome))};
    ReportInput input{fmt::format("conclab run {}", args.argv.front()), build_info::kTool,
                            std::filesystem::current_path(), {}, {record}, run.duration_s};
    input.category = args.sarif_category;
    if (!args.sarif.empty()) written = write_or_report([&] { write_sarif(args.sarif, input); }) && written;
    if (!args.junit.empty()) written = write_or_report([&] { write_junit(args.junit, input); }) && written;
  }
  if (run.interrupted_by) return interrupted_status(run);
  if (!written) return 2;
  if (!args.expect.empty()) return as_expected ? 0 : 1;
  return judgement.outcome == Outcome::clean ? 0 : 1;
}

namespace {

// The outcome a cell shows: the outcome, with the schedule arguments when the run needs them.
std::string cell(const Expectation& e) {
  std::string text = "`" + std::string(to_string(e.outcome)) + "`";
  for (const auto& arg : e.args) text += " `" + arg + "`";
  return text;
}

// docs/catalog.md: generated from the manifests, never edited by hand (a test compares them).
void print_markdown(const std::vector<Case>& cases) {
  fmt::print("# The catalog\n\nGenerated by `conclab list --markdown` from the cases' manifests; do not edit.\n"
             "{} cases. Each cell is the outcome the harness must reach for the buggy variant under that tool;\n"
             "every fixed variant is `clean` under every tool unless the last column says otherwise.\n\n",
             cases.size());
  fmt::print("| case | what goes wrong | release | tsan | asan | fixed |\n| --- | --- | --- | --- | --- | --- |\n");
  for (const auto& c : cases) {
    const auto& buggy = c.manifest.expect.at("buggy");
    std::vector<std::string> not_clean;  // every tool's, in the registry's order
    for (const auto& tool : tools::all()) {
      const auto& fixed = c.manifest.expect.at("fixed");
      if (const auto e = fixed.find(std::string(tool.name)); e != fixed.end() && e->second.outcome != Outcome::clean)
        not_clean.push_back(fmt::format("{}: `{}`", tool.name, to_string(e->second.outcome)));
    }
    const std::string fixed = not_clean.empty() ? "clean" : fmt::format("{}", fmt::join(not_clean, ", "));
    fmt::print("| [`{}`](../cases/{}/README.md) | {} | {} | {} | {} | {} |\n", c.id, c.id, c.manifest.title,
               cell(buggy.at("release")), cell(buggy.at("tsan")), cell(buggy.at("asan")), fixed);
  }
}

}  // namespace

int list_command(bool markdown) {
  const auto cases = tools::this_build_catalog().all();
  if (markdown) {
    print_markdown(cases);
    return 0;
  }
  for (const auto& c : cases) fmt::print("{:<20} {:<36} {}\n", c.category, c.bug, c.manifest.title);
  return 0;
}

namespace {

// One case run as the JSON of `check --json` (docs/json-report.md): the run, and what it was held to.
nlohmann::json case_run_json(const Case& c, const std::string& variant, std::string_view tool, const CaseRun& r) {
  auto one = to_json(r.run, r.judgement);
  one["case"] = c.id;
  one["variant"] = variant;
  one["tool"] = std::string(tool);
  one["expected"] = to_string(r.expected.outcome);
  one["passed"] = r.check.passed;
  one["reason"] = r.check.reason;  // the check's words: what the run reached, or why it did not pass
  if (!r.detail.is_null()) one[std::string(tool)] = r.detail;
  return one;
}

// `conclab check CASE --tool stress`: a seed search per variant (stress.hpp, docs/stress.md).
int check_seed_search(const Catalog& catalog, const tools::Tool& tool, const CheckArgs& args) {
  if (args.runs && *args.runs < 1) throw HarnessError("--runs must be at least 1");
  const auto c = catalog.find(args.case_id);
  bool all_passed = true;
  auto report = nlohmann::json::array();
  for (const auto& variant : variants_of(args.variant)) {
    if (const auto signo = stop_signal()) return 128 + *signo;
    const auto expected = expectation_for(c, variant, std::string(tool.name), args.expect);
    const int runs = args.seed && !args.runs ? 1 : stress::runs_for(expected, args.runs);
    const auto s = stress::search(catalog, c, variant, expected, runs, args.seed);
    if (s.last.run.interrupted_by) return interrupted_status(s.last.run);
    fmt::print("{} {} [{}]: {} — {}\n", c.id, variant, tool.name, s.passed ? "PASS" : "MISMATCH", stress::describe(s));
    print_verdict(stdout, s.last.run, s.last.judgement);  // the hit, the first failure, or the last clean run
    if (s.hit || s.failed)
      fmt::print("  replay: {}\n", stress::replay_command(std::string(build_info::kBuildDir) + "/harness/conclab", catalog, c, variant, expected, s.params));
    if (!args.json.empty()) report.push_back(case_run_json(c, variant, tool.name, stress::as_case_run(s)));
    all_passed = all_passed && s.passed;
  }
  if (!args.json.empty()) write_json(args.json, report);
  return all_passed ? 0 : 1;
}

}  // namespace

int tools_command(bool json) {
  if (json) {
    fmt::print("{}\n", tools::to_json(tools::this_build_catalog()).dump(2));
    return 0;
  }
  fmt::print("{:<10} {:<8} {:<9} {}\n", "tool", "tree", "manifest", "what");
  for (const auto& t : tools::all()) {
    const auto missing = t.unavailable != nullptr ? t.unavailable() : std::nullopt;
    fmt::print("{:<10} {:<8} {:<9} {}{}\n", t.name, t.tree, t.required ? "required" : "optional", t.what,
               missing ? " — cannot run here: " + *missing : "");
  }
  return 0;
}

int check_command(const CheckArgs& args) {
  const auto catalog = tools::this_build_catalog();
  const auto tree = tools::of_tree(catalog.tool());
  const auto* tool = args.tool.empty() ? tree.front() : tools::find(args.tool);
  if (std::find(tree.begin(), tree.end(), tool) == tree.end()) {
    std::vector<std::string_view> names;
    for (const auto* t : tree) names.push_back(t->name);
    throw HarnessError(fmt::format("--tool {}: the {} tree checks {}", args.tool, catalog.tool(), fmt::join(names, ", ")));
  }
  if (tool->searches_seeds) return check_seed_search(catalog, *tool, args);
  if (args.seed || args.runs) throw HarnessError("--seed and --runs are for --tool stress");
  if (args.repeat < 1) throw HarnessError("--repeat must be at least 1");
  const auto started = std::chrono::steady_clock::now();
  const auto c = catalog.find(args.case_id);
  bool all_passed = true;
  auto report = nlohmann::json::array();
  ReportInput records{fmt::format("conclab check {} [{}]", c.id, tool->name), std::string(tool->name),
                      build_info::kSourceDir, {c}, {}, 0};
  for (const auto& variant : variants_of(args.variant)) {
    const auto expected = expectation_for(c, variant, std::string(tool->name), args.expect);
    int reached = 0;
    for (int i = 0; i < args.repeat; ++i) {
      if (const auto signo = stop_signal()) return 128 + *signo;
      const auto r = tool->run(catalog, c, variant, expected);
      if (r.run.interrupted_by) return interrupted_status(r.run);
      reached += r.check.passed;
      if (wants_reports(args.reports)) records.runs.push_back(record_of(tool->name, c, variant, r));
      if (!r.check.passed || args.repeat == 1) {
        fmt::print("{} {} [{}] run {}: {} — {}\n", c.id, variant, tool->name, i + 1,
                   r.check.passed ? "PASS" : "MISMATCH", r.check.reason);
        print_verdict(stdout, r.run, r.judgement);
      }
      if (!args.json.empty()) report.push_back(case_run_json(c, variant, tool->name, r));
    }
    if (args.repeat > 1) {
      fmt::print("{} {} [{}]: {}/{} runs reached {}\n", c.id, variant, tool->name, reached, args.repeat,
                 to_string(expected.outcome));
    }
    all_passed = all_passed && reached == args.repeat;
  }
  if (!args.json.empty()) write_json(args.json, report);
  records.total_s = seconds_since(started);
  write_reports(args.reports, records);
  return all_passed ? 0 : 1;
}

int tour_command(int jobs, const ReportFiles& reports) {
  const auto started = std::chrono::steady_clock::now();
  const auto catalog = tools::this_build_catalog();
  const auto cases = catalog.all();
  struct Row {
    std::string id, variant, expected, got;
    double seconds = 0;
    bool passed = false;
  };
  std::vector<Row> rows;
  std::vector<std::pair<const Case*, std::string>> work;
  for (const auto& c : cases)
    for (const auto variant : kVariants) work.emplace_back(&c, std::string(variant));
  rows.resize(work.size());
  std::vector<RunRecord> records(wants_reports(reports) ? work.size() : 0);  // slot i: written by its worker only
  std::atomic<int> interrupted{0};
  std::mutex print_mutex;
  std::size_t finished = 0;
  // Runs share nothing but this process (see docs/design.md).
  const auto run_one = [&](std::size_t i) {
    const auto& [c, variant] = work[i];
    const auto r = run_case(catalog, *c, variant);
    if (r.run.interrupted_by) interrupted = *r.run.interrupted_by;
    rows[i] = {c->id, variant, std::string(to_string(r.expected.outcome)), std::string(to_string(r.judgement.outcome)),
               r.run.duration_s, r.check.passed};
    if (!records.empty()) records[i] = record_of(catalog.tool(), *c, variant, r);
    const auto* why = r.judgement.deciding();
    std::lock_guard lock(print_mutex);
    fmt::print("[{}/{}] {} {}: {} {}{}\n", ++finished, work.size(), c->id, variant, rows[i].got,
               r.check.passed ? "(as declared)" : "MISMATCH: " + r.check.reason,
               why ? " — " + why->summary : std::string());
    std::fflush(stdout);
  };
  parallel_for(jobs, work.size(), [&] { return interrupted || stop_signal(); }, run_one);
  if (interrupted) return 128 + interrupted;
  if (const auto signo = stop_signal()) return 128 + *signo;
  std::size_t width = 8 + catalog.tool().size();
  for (const auto& row : rows) width = std::max(width, row.id.size());
  fmt::print("\n{:<{}} {:<7} {:<22} {:<22} {:>7}\n", "case [" + catalog.tool() + "]", width, "variant", "expected",
             "got", "time");
  int failures = 0;
  for (const auto& row : rows) {
    failures += !row.passed;
    fmt::print("{:<{}} {:<7} {:<22} {:<22} {:>6.2f}s{}\n", row.id, width, row.variant, row.expected, row.got, row.seconds,
               row.passed ? "" : "  MISMATCH");
  }
  fmt::print("\n{} runs, {} as declared, {} mismatched\n", rows.size(), rows.size() - failures, failures);
  if (wants_reports(reports))
    write_reports(reports, {fmt::format("conclab tour [{}]", catalog.tool()), catalog.tool(), build_info::kSourceDir,
                            cases, std::move(records), seconds_since(started)});
  return failures == 0 ? 0 : 1;
}

int exercise_command(const std::string& action, const exercise::Options& options) {
  const auto catalog = tools::this_build_catalog();
  if (action == "start") return exercise::start(catalog, options, stdout);
  if (action == "hint") return exercise::hint(catalog, options, stdout);
  if (action == "check") return exercise::check(catalog, options, stdout);
  return exercise::solution(catalog, options, stdout);
}

}  // namespace conclab::cli
