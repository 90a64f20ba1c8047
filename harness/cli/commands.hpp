// commands: the conclab subcommands. Each returns the process exit status:
// 0 clean / as declared, 1 a bug or a mismatch, 2 bad input or a harness error, 128+N interrupted.
#pragma once

#include "exercise/exercise.hpp"
#include "run/limits.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace conclab::cli {

// Report files a check or a tour writes besides what it prints; empty: not written.
struct ReportFiles {
  std::string html;   // one self-contained page (html_report.hpp)
  std::string sarif;  // SARIF 2.1.0 (sarif_report.hpp)
  std::string junit;  // JUnit XML (junit_report.hpp)
};

struct RunArgs {
  double timeout_s = 30;
  std::string json;
  bool show_output = false;
  std::string graph;         // write the wait-for graph of a stuck run (DOT, or SVG for *.svg)
  int hang_window_ms = 400;  // 0: no hang detection, only the time limit
  double loop_stall_ms = 100;  // an event-loop handler running longer while others wait is a loop_stall
  ChildLimits limits;        // --max-cpu, --max-file-mib, --max-procs, --max-memory-mib
  std::optional<std::uint64_t> seed;  // --seed: schedule perturbation with this seed (docs/stress.md)
  int depth = 2, points = 8;          // --depth, --points: its PCT parameters
  std::vector<std::string> expect;    // --expect: exit 0 when the outcome is one of these, 1 otherwise
  std::string baseline;     // an earlier JSON report or SARIF: its findings are known (baseline.hpp)
  std::string suppress;     // one suppressions file for every tool (suppressions.hpp)
  std::string keep_output;  // a folder for the program's stdout.txt and stderr.txt, as captured
  std::string sarif, junit; // the run as SARIF 2.1.0 / JUnit XML, as check and tour write them
  std::string sarif_category;  // --sarif-category: the SARIF run's automationDetails.id
  bool gtest = false;       // --gtest: the program is a GoogleTest binary, each test its own run
  int jobs = 1;             // --gtest -j N: tests run N at a time
  std::vector<std::string> argv;
};
int run_command(const RunArgs& args);

// `conclab run --gtest [-j N] -- ./tests [ARGS]`: lists the tests, runs and judges each one alone
// (--gtest_filter=NAME), and reports them one by one (gtest_command.cpp).
int gtest_command(const RunArgs& args);

int list_command(bool markdown);
// `conclab tools`: the registry's rows, as a table or (json) as JSON on stdout.
int tools_command(bool json);

struct CheckArgs {
  std::string case_id;
  std::optional<std::string> variant;  // both when absent
  int repeat = 1;
  std::optional<std::string> expect;   // overrides the manifest's outcome
  std::string json;
  ReportFiles reports;
  std::string tool;                   // "" (this tree's) or "stress" (release tree: docs/stress.md)
  std::optional<std::uint64_t> seed;  // stress: this seed only (default: seeds 1, 2, ...)
  std::optional<int> runs;            // stress: seeds to try (default: the manifest's runs, else 20)
};
int check_command(const CheckArgs& args);

// Runs every case and variant, `jobs` at a time; prints progress as runs end and the table at the end.
int tour_command(int jobs, const ReportFiles& reports = {});

// `conclab exercise start|hint|check|solution` (exercise.hpp).
int exercise_command(const std::string& action, const exercise::Options& options);

}  // namespace conclab::cli
