#include "commands.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "case_run.hpp"
#include "catalog.hpp"
#include "detector_env.hpp"
#include "json_report.hpp"
#include "manifest.hpp"
#include "render.hpp"

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

// DOT as is; SVG through Graphviz's dot when the file asks for it.
void write_graph(const std::string& file, const HangReport& hang) {
  const auto dot = to_dot(hang);
  if (!file.ends_with(".svg")) {
    std::ofstream(file) << dot;
    return;
  }
  RunSpec spec;
  spec.argv = {"dot", "-Tsvg", "-o", file};
  const auto dot_file = file + ".dot";
  std::ofstream(dot_file) << dot;
  spec.argv.push_back(dot_file);
  spec.hang_detection.reset();
  const auto run = run_program(spec);
  std::filesystem::remove(dot_file);
  if (run.exit_code != 0) throw HarnessError(fmt::format("--graph: dot could not write '{}'", file));
}

}  // namespace

int run_command(const RunArgs& args) {
  RunSpec spec;
  spec.argv = args.argv;
  spec.timeout = std::chrono::milliseconds(std::llround(args.timeout_s * 1000));
  spec.env = detector_env();
  if (args.hang_window_ms > 0) spec.hang_detection = HangOptions{.window = std::chrono::milliseconds(args.hang_window_ms)};
  else spec.hang_detection.reset();
  const auto run = run_program(spec);
  const auto judgement = classify(run);
  if (!args.graph.empty() && run.hang) write_graph(args.graph, *run.hang);
  if (args.show_output) {
    fmt::print("--- stdout ---\n{}--- stderr ---\n{}--- end ---\n", run.out.text, run.err.text);
  }
  print_verdict(stdout, run, judgement);
  if (!args.json.empty()) write_json(args.json, to_json(run, judgement));
  if (run.interrupted_by) return interrupted_status(run);
  return judgement.outcome == Outcome::clean ? 0 : 1;
}

int list_command() {
  const auto catalog = this_build_catalog();
  for (const auto& c : catalog.all()) {
    fmt::print("{:<20} {:<28} {}  [buggy, fixed]\n", c.category, c.bug, c.manifest.title);
  }
  return 0;
}

int check_command(const CheckArgs& args) {
  if (args.repeat < 1) throw HarnessError("--repeat must be at least 1");
  const auto catalog = this_build_catalog();
  const auto c = catalog.find(args.case_id);
  bool all_passed = true;
  auto report = nlohmann::json::array();
  for (const auto& variant : variants_of(args.variant)) {
    const auto expected = expectation_for(c, variant, catalog.tool(), args.expect);
    int reached = 0;
    for (int i = 0; i < args.repeat; ++i) {
      const auto r = run_case(catalog, c, variant, expected);
      if (r.run.interrupted_by) return interrupted_status(r.run);
      reached += r.check.passed;
      if (!r.check.passed || args.repeat == 1) {
        fmt::print("{} {} [{}] run {}: {} — {}\n", c.id, variant, catalog.tool(), i + 1,
                   r.check.passed ? "PASS" : "MISMATCH", r.check.reason);
        print_verdict(stdout, r.run, r.judgement);
      }
      if (!args.json.empty()) {
        auto one = to_json(r.run, r.judgement);
        one["case"] = c.id;
        one["variant"] = variant;
        one["tool"] = catalog.tool();
        one["expected"] = to_string(expected.outcome);
        one["passed"] = r.check.passed;
        report.push_back(std::move(one));
      }
    }
    if (args.repeat > 1) {
      fmt::print("{} {} [{}]: {}/{} runs reached {}\n", c.id, variant, catalog.tool(), reached, args.repeat,
                 to_string(expected.outcome));
    }
    all_passed = all_passed && reached == args.repeat;
  }
  if (!args.json.empty()) write_json(args.json, report);
  return all_passed ? 0 : 1;
}

int tour_command() {
  const auto catalog = this_build_catalog();
  const auto cases = catalog.all();
  struct Row {
    std::string id, variant, expected, got;
    double seconds;
    bool passed;
  };
  std::vector<Row> rows;
  const std::size_t total = cases.size() * std::size(kVariants);
  for (const auto& c : cases) {
    for (const auto variant : kVariants) {
      const auto r = run_case(catalog, c, std::string(variant));
      if (r.run.interrupted_by) return interrupted_status(r.run);
      rows.push_back({c.id, std::string(variant), std::string(to_string(r.expected.outcome)),
                      std::string(to_string(r.judgement.outcome)), r.run.duration_s, r.check.passed});
      const auto* why = r.judgement.deciding();
      fmt::print("[{}/{}] {} {}: {} {}{}\n", rows.size(), total, c.id, variant, rows.back().got,
                 r.check.passed ? "(as declared)" : "MISMATCH: " + r.check.reason,
                 why ? " — " + why->summary : std::string());
      std::fflush(stdout);
    }
  }
  fmt::print("\n{:<44} {:<6} {:<22} {:<22} {:>7}\n", "case [" + catalog.tool() + "]", "variant", "expected", "got",
             "time");
  int failures = 0;
  for (const auto& row : rows) {
    failures += !row.passed;
    fmt::print("{:<44} {:<6} {:<22} {:<22} {:>6.2f}s{}\n", row.id, row.variant, row.expected, row.got, row.seconds,
               row.passed ? "" : "  MISMATCH");
  }
  fmt::print("\n{} runs, {} as declared, {} mismatched\n", rows.size(), rows.size() - failures, failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace conclab::cli
