// conclab: runs programs, judges what the detectors report, and checks the catalog's cases.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cmath>

#include "commands.hpp"
#include "run/interrupt.hpp"
#include "core/manifest.hpp"
#include "matrix.hpp"
#include "core/output_file.hpp"
#include "run/spawn.hpp"

namespace {

constexpr int kUsageError = 2;

int fail(const std::string& message) {
  fmt::print(stderr, "conclab: {}\n", message);
  return kUsageError;
}

// CLI11 reads "-1" into an unsigned number as 2^64-1.
const CLI::Validator kNotNegative(
    [](std::string& value) { return value.starts_with('-') ? std::string("must not be negative") : std::string(); },
    "NON-NEGATIVE");

// "data_race,clean" -> {"data_race", "clean"}; an empty item is kept, so it is reported as unknown.
std::vector<std::string> split_outcomes(const std::string& list) {
  std::vector<std::string> outcomes;
  if (list.empty()) return outcomes;
  for (std::size_t at = 0;;) {
    const auto comma = list.find(',', at);
    outcomes.push_back(list.substr(at, comma - at));
    if (comma == std::string::npos) return outcomes;
    at = comma + 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace conclab::cli;
  conclab::install_stop_watch();  // before anything is started: a Ctrl-C is never lost
  CLI::App app{"conclab: a concurrency-bug lab and test harness"};
  app.require_subcommand(1);

  RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Run any program under the harness and judge what it did");
  run_cmd->add_option("--timeout", run.timeout_s, "Time limit in seconds")->check(CLI::Range(0.01, 86400.0));
  std::vector<CLI::Option*> output_files;  // checked before anything runs
  output_files.push_back(run_cmd->add_option("--json", run.json, "Write the JSON report to FILE"));
  run_cmd->add_flag("--show-output", run.show_output, "Print the program's captured stdout and stderr");
  output_files.push_back(
      run_cmd->add_option("--graph", run.graph, "Write a stuck run's wait-for graph to FILE (DOT; SVG if FILE ends in .svg)"));
  run_cmd->add_option("--hang-window", run.hang_window_ms,
                      "Milliseconds a tree must stay blocked to be judged stuck (0: only the time limit)")
      ->check(CLI::Range(0, 600000));
  run_cmd->add_option("--loop-stall-ms", run.loop_stall_ms,
                      "A handler of an Asio event loop (built with BOOST_ASIO_ENABLE_HANDLER_TRACKING) that runs longer "
                      "than this while others wait is a loop_stall (default 100)")
      ->check(CLI::Range(1.0, 3600000.0));
  std::uint64_t file_mib = run.limits.file_bytes >> 20, memory_mib = run.limits.memory_bytes >> 20;
  run_cmd->add_option("--max-cpu", run.limits.cpu_seconds, "CPU-time limit of the program in seconds (SIGXCPU; default: the time limit x CPUs + 11 s)")
      ->check(CLI::Range(1, 86400));
  run_cmd->add_option("--max-file-mib", file_mib, "Largest file it may write, MiB (SIGXFSZ)")->check(CLI::Range(1, 1 << 20));
  run_cmd->add_option("--max-procs", run.limits.processes, "Processes and threads it may have at once (cgroup)")
      ->check(CLI::Range(1, 1 << 20));
  run_cmd->add_option("--max-memory-mib", memory_mib, "Resident memory of its whole tree, MiB (cgroup)")
      ->check(CLI::Range(1, 1 << 24));
  std::string expect_list;  // --expect, split in the callback
  run_cmd->callback([&] {
    run.limits.file_bytes = file_mib << 20;
    run.limits.memory_bytes = memory_mib << 20;
    run.expect = split_outcomes(expect_list);
  });
  run_cmd->add_option("--seed", run.seed,
                      "Perturb the schedule at the program's conclab gates with this seed (PCT; docs/stress.md)")
      ->check(kNotNegative);
  run_cmd->add_option("--depth", run.depth, "With --seed: PCT depth d (d-1 priority-change points)")
      ->check(CLI::Range(1, 16));
  run_cmd->add_option("--points", run.points, "With --seed: change points are drawn among the first K scheduling points")
      ->check(CLI::Range(1, 1000000));
  // One string, split here: CLI11 2.1's vector option with a delimiter also swallows the `--` after
  // it, and the program's own arguments then read as conclab's.
  run_cmd->add_option("--expect", expect_list,
                      "OUTCOME[,OUTCOME...]: exit 0 when the outcome is one of these, 1 otherwise (docs/outcomes.md)")
      ->check([](const std::string& list) {
        for (const auto& outcome : split_outcomes(list))
          if (!conclab::outcome_from_string(outcome)) return "unknown outcome '" + outcome + "' (docs/outcomes.md)";
        return std::string();
      });
  run_cmd->add_option("--baseline", run.baseline,
                      "An earlier --json report or SARIF file: its findings are known and do not make the outcome");
  run_cmd->add_option("--suppress", run.suppress,
                      "Suppressions for every tool, TSan's syntax (type:pattern; docs/outcomes.md)");
  output_files.push_back(
      run_cmd->add_option("--sarif", run.sarif, "Write the findings as SARIF 2.1.0 to FILE (with partialFingerprints)"));
  run_cmd->add_option("--sarif-category", run.sarif_category,
                      "ID: the SARIF run's automationDetails.id, code scanning's category (one per analysis uploaded together)");
  output_files.push_back(run_cmd->add_option("--junit", run.junit, "Write the run as JUnit XML to FILE"));
  run_cmd->add_option("--keep-output", run.keep_output, "Write the program's stdout and stderr, as captured, into folder DIR");
  run_cmd->add_flag("--gtest", run.gtest,
                    "PROGRAM is a GoogleTest binary: list its tests and judge each as its own run (--gtest_filter=NAME)");
  auto* jobs_opt = run_cmd->add_option("-j,--jobs", run.jobs, "With --gtest: tests run N at a time, each in its own process group")
                       ->check(CLI::Range(1, 64));
  run_cmd->add_option("program", run.argv, "PROGRAM [ARGS...] (after --)")->required();

  bool markdown = false;
  app.add_subcommand("list", "List the catalog's cases")
      ->add_flag("--markdown", markdown, "Print the catalog as docs/catalog.md is written");

  bool tools_json = false;
  app.add_subcommand("tools", "List the detector tools: which tree runs each (the registry, tools/registry.hpp)")
      ->add_flag("--json", tools_json, "Print them as JSON (read by ctest's registration and measure/matrix_report.py)");

  CheckArgs check;
  auto* check_cmd = app.add_subcommand("check", "Run a case with this build's tool and compare with its manifest");
  check_cmd->add_option("case", check.case_id, "<category>/<bug>")->required();
  check_cmd->add_option("--variant", check.variant, "buggy or fixed (default: both)")
      ->check(CLI::IsMember({"buggy", "fixed"}));
  check_cmd->add_option("--repeat", check.repeat, "Run N times and print the detection rate")
      ->check(CLI::Range(1, 100000));
  check_cmd->add_option("--expect", check.expect, "Expect this outcome instead of the manifest's");
  output_files.push_back(check_cmd->add_option("--json", check.json, "Write every run's JSON report to FILE"));
  auto add_report_options = [&output_files](CLI::App* cmd, ReportFiles& files) {
    output_files.push_back(cmd->add_option("--html", files.html, "Write one self-contained HTML report to FILE"));
    output_files.push_back(cmd->add_option("--sarif", files.sarif, "Write the findings as SARIF 2.1.0 to FILE"));
    output_files.push_back(cmd->add_option("--junit", files.junit, "Write the runs as JUnit XML to FILE"));
  };
  add_report_options(check_cmd, check.reports);
  check_cmd->add_option("--tool", check.tool,
                        "A tool of this tree (`conclab tools`; default: the tree's own); stress: a seed search (docs/stress.md)");
  check_cmd->add_option("--seed", check.seed, "With --tool stress: this seed only")->check(kNotNegative);
  check_cmd->add_option("--runs", check.runs, "With --tool stress: seeds to try (default: the manifest's runs, else 20)")
      ->check(CLI::Range(1, 100000));

  auto* tour_cmd = app.add_subcommand("tour", "Run every case, both variants, and print a table");
  int tour_jobs = 1;
  tour_cmd->add_option("-j,--jobs", tour_jobs, "Runs in parallel (each in its own process group, IPC names and temp folder)")
      ->check(CLI::Range(1, 64));
  ReportFiles tour_reports;
  add_report_options(tour_cmd, tour_reports);

  // Workshop mode: conclab exercise start|hint|check|solution CASE.
  auto* exercise_cmd = app.add_subcommand("exercise", "Workshop mode: fix a case's bug in a file of your own");
  exercise_cmd->require_subcommand(1);
  conclab::exercise::Options exercise;
  std::string exercise_dir;
  auto* ex_start = exercise_cmd->add_subcommand("start", "Copy a case's buggy program into your folder, build it, run it once");
  auto* ex_hint = exercise_cmd->add_subcommand("hint", "Show hint N (1: what goes wrong ... last: the idea of the fix)");
  auto* ex_check = exercise_cmd->add_subcommand("check", "Build your fix for every tool, run it, and judge it");
  auto* ex_solution = exercise_cmd->add_subcommand("solution", "Show the reference fix as a diff");
  for (auto* cmd : {ex_start, ex_hint, ex_check, ex_solution})
    cmd->add_option("case", exercise.case_id, "<category>/<bug>")->required();
  for (auto* cmd : {ex_start, ex_check})
    cmd->add_option("--dir", exercise_dir, "Your workshop folder (default: $CONCLAB_WORKSHOP_DIR or ~/conclab-workshop)");
  ex_start->add_flag("--force", exercise.force, "Start over: overwrite your copy");
  ex_hint->add_option("n", exercise.hint, "Which hint (default 1)")->check(CLI::Range(1, 100));
  ex_check->add_option("--repeat", exercise.repeat, "Runs per tool (default 3)")->check(CLI::Range(1, 1000));

  MatrixArgs matrix;
  auto* matrix_cmd = add_matrix_command(app, matrix);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(std::string(e.what()) + " (see conclab --help)");
  }

  try {
    // CLI11's range check lets NaN through (every comparison with it is false).
    if (run_cmd->parsed() && !std::isfinite(run.timeout_s)) return fail("--timeout: not a number of seconds");
    if (run_cmd->parsed() && jobs_opt->count() > 0 && !run.gtest) return fail("-j/--jobs: only with --gtest (one run is one program)");
    if (run_cmd->parsed() && !run.sarif_category.empty() && run.sarif.empty()) return fail("--sarif-category: only with --sarif FILE");
    for (const auto* option : output_files)
      if (option->count() > 0) conclab::check_output_path(option->get_name(), option->as<std::string>());
    if (run_cmd->parsed()) return run_command(run);
    if (check_cmd->parsed()) return check_command(check);
    if (matrix_cmd->parsed()) return matrix_command(matrix);
    if (app.got_subcommand("list")) return list_command(markdown);
    if (app.got_subcommand("tools")) return tools_command(tools_json);
    if (exercise_cmd->parsed()) {
      if (!exercise_dir.empty()) exercise.dir = exercise_dir;
      for (auto* cmd : {ex_start, ex_hint, ex_check, ex_solution})
        if (cmd->parsed()) return exercise_command(cmd->get_name(), exercise);
    }
    if (tour_cmd->parsed()) return tour_command(tour_jobs, tour_reports);
    return fail("no command run (see conclab --help)");  // require_subcommand(1) makes this unreachable
  } catch (const conclab::HarnessError& e) {
    return fail(e.what());
  } catch (const conclab::ManifestError& e) {
    return fail(e.what());
  } catch (const std::exception& e) {
    // After a hang-up, printing to the dead terminal fails: the stop is what happened.
    if (const auto signo = conclab::stop_signal()) return 128 + *signo;
    return fail(std::string("internal error: ") + e.what());
  }
}
