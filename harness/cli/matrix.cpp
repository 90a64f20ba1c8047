#include "matrix.hpp"
#include "core/files.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/build_info.hpp"
#include "tools/case_run.hpp"
#include "core/catalog.hpp"
#include "run/interrupt.hpp"
#include "report/json_report.hpp"
#include "parallel.hpp"
#include "render.hpp"
#include "tools/registry.hpp"

namespace conclab::cli {
namespace {

struct Cell {
  const Case* c = nullptr;
  std::string variant, tool;
  bool declared = false;
  std::string expected, got, reason, cell, summary, why;
  std::vector<double> seconds;
  int runs = 0, passed = 0;
  const tools::Tool* tool_row = nullptr;
  nlohmann::json detail;  // what the tool added to its last run (stress: the seed search)
  std::string note;
  std::set<std::string> warnings;  // a compile tool's warnings, without their file:line
};

// A compile tool's warnings as `message [check]`, without the `buggy.cpp:19: ` that differs between
// the variants.
std::set<std::string> warnings_of(const Judgement& judgement, Outcome warning) {
  std::set<std::string> out;
  for (const auto& f : judgement.findings) {
    if (f.kind != warning) continue;
    const auto colon = f.summary.find(": ");
    out.insert(colon == std::string::npos ? f.summary : f.summary.substr(colon + 2));
  }
  return out;
}

// A compile reads source, not a run: a buggy variant that warns only what its fixed variant warns
// too has said nothing about the bug, so its cell is missed, not caught (measure/matrix_report.py
// makes the same cell from the declarations).
void same_warnings_as_fixed_is_missed(std::vector<Cell>& cells) {
  for (auto& buggy : cells) {
    if (buggy.variant != "buggy" || buggy.cell != "caught" || !buggy.tool_row->compile_warning) continue;
    const auto fixed = std::find_if(cells.begin(), cells.end(), [&](const Cell& other) {
      return other.c == buggy.c && other.tool == buggy.tool && other.variant == "fixed" && other.runs > 0;
    });
    if (fixed == cells.end()) continue;
    if (std::includes(fixed->warnings.begin(), fixed->warnings.end(), buggy.warnings.begin(), buggy.warnings.end())) {
      buggy.cell = "missed";
      fmt::print("  {} buggy [{}]: missed: the fixed variant prints the same warnings\n", buggy.c->id, buggy.tool);
    }
  }
}

CaseRun run_one(const Catalog& catalog, const Case& c, const std::string& variant, const tools::Tool& tool,
                bool declared) {
  // Undeclared (--measure): release's arguments, judged against clean; a buggy variant under a seed
  // search against release's outcome, so that the search reports the first seed that shows the bug
  // (searching for "clean" would stop at the first seed that misses it). A compile takes no arguments.
  if (declared) return tool.run(catalog, c, variant, c.manifest.expectation(variant, tool.name));
  if (tool.compile_warning) return tool.run(catalog, c, variant, Expectation{});
  Expectation e = c.manifest.expectation(variant, "release");
  if (!(tool.searches_seeds && variant == "buggy")) e.outcome = Outcome::clean;
  e.function.clear();
  e.timeout_s.reset();
  e.why.clear();
  return tool.run(catalog, c, variant, e);
}

nlohmann::json to_json(const Cell& cell) {
  nlohmann::json out = {{"case", cell.c->id},         {"variant", cell.variant}, {"tool", cell.tool},
          {"declared", cell.declared},  {"expected", cell.expected}, {"got", cell.got},
          {"passed", cell.runs > 0 && cell.passed == cell.runs},  {"runs", cell.runs},
          {"runs_passed", cell.passed}, {"reason", cell.reason},   {"cell", cell.cell},
          {"summary", cell.summary},    {"why", cell.why},         {"seconds", cell.seconds}};
  if (!cell.detail.is_null()) out[cell.tool] = cell.detail;
  return out;
}

}  // namespace

std::vector<std::string> tree_tools() {
  std::vector<std::string> names;
  for (const auto* tool : tools::of_tree(build_info::kTool)) names.emplace_back(tool->name);
  return names;
}

std::string matrix_cell(const std::string& variant, const std::string& outcome, bool searches_seeds, bool gated) {
  if (outcome == "tool_error") return "tool error";
  if (variant == "fixed") return outcome == "clean" ? "clean" : "false alarm";
  if (searches_seeds && !gated) return "no gate";
  // Under a seed search the buggy variant's symptom (a wrong result too) is the catch: the gates did not force it.
  if (searches_seeds) return outcome == "clean" || outcome == "timeout" ? "missed" : "caught";
  static const std::vector<std::string> kSymptoms{"clean", "wrong_result", "exit_nonzero", "timeout"};
  return std::find(kSymptoms.begin(), kSymptoms.end(), outcome) != kSymptoms.end() ? "missed" : "caught";
}

bool has_gate(const Case& c) {
  return read_file(c.dir / "buggy.cpp").value_or("").find("conclab/gate.hpp") != std::string::npos;
}

CLI::App* add_matrix_command(CLI::App& app, MatrixArgs& args) {
  auto* cmd = app.add_subcommand(
      "matrix", "Run cases under this tree's tools (`conclab tools` lists them) as detector-matrix cells");
  cmd->add_option("--tool", args.tools, "A tool of this tree (repeatable; default: all of them)");
  cmd->add_option("-m,--match", args.match, "Only cases whose <category>/<bug> matches this regex");
  cmd->add_option("--variant", args.variant, "buggy or fixed (default: both)")->check(CLI::IsMember({"buggy", "fixed"}));
  cmd->add_option("-j,--jobs", args.jobs, "Runs in parallel")->check(CLI::Range(1, 64));
  cmd->add_option("--repeat", args.repeat, "Runs per cell")->check(CLI::Range(1, 1000));
  cmd->add_option("--json", args.json, "Write every cell to FILE (measure/matrix.sh merges the trees' files)");
  cmd->add_flag("-v,--verbose", args.verbose, "Print the verdict of every run that did not reach its expectation");
  cmd->add_flag("--measure", args.measure, "Also run the cells a manifest does not declare (to learn what to declare)");
  return cmd;
}

int matrix_command(const MatrixArgs& args) {
  const auto catalog = tools::this_build_catalog();
  const auto available = tree_tools();
  const auto tools = args.tools.empty() ? available : args.tools;
  for (const auto& tool : tools)
    if (std::find(available.begin(), available.end(), tool) == available.end())
      throw HarnessError(fmt::format("--tool {}: the {} tree runs {}", tool, catalog.tool(), fmt::join(available, ", ")));
  std::regex match;
  try {
    match = std::regex(args.match.empty() ? ".*" : args.match);
  } catch (const std::regex_error& e) {
    throw HarnessError(fmt::format("-m: bad regex '{}': {}", args.match, e.what()));
  }

  const auto cases = catalog.all();
  std::vector<Cell> cells;
  for (const auto& c : cases) {
    if (!std::regex_search(c.id, match)) continue;
    for (const auto variant : kVariants) {
      if (args.variant && *args.variant != variant) continue;
      for (const auto& tool : tools) {
        Cell cell;
        cell.c = &c;
        cell.variant = variant;
        cell.tool = tool;
        cell.tool_row = tools::find(tool);
        const auto& declared = c.manifest.expect.at(std::string(variant));
        if (auto e = declared.find(tool); e != declared.end()) {
          cell.declared = true;
          cell.expected = to_string(e->second.outcome);
          cell.why = e->second.why;
        } else {
          cell.cell = "n.a.";
        }
        cells.push_back(std::move(cell));
      }
    }
  }

  std::atomic<int> interrupted{0};
  std::mutex print_mutex;
  std::size_t finished = 0;
  const auto runs = [&](const Cell& c) { return c.declared || args.measure; };
  const std::size_t to_run = std::count_if(cells.begin(), cells.end(), runs);
  const auto run_cell = [&](std::size_t i) {
    Cell& cell = cells[i];
    if (!runs(cell)) return;
    for (int k = 0; k < args.repeat && !interrupted; ++k) {
      const auto r = run_one(catalog, *cell.c, cell.variant, *cell.tool_row, cell.declared);
      cell.detail = r.detail;
      cell.note = r.note;
      if (cell.tool_row->compile_warning) cell.warnings = warnings_of(r.judgement, *cell.tool_row->compile_warning);
      if (r.run.interrupted_by) interrupted = *r.run.interrupted_by;
      const std::string got(to_string(r.judgement.outcome));
      const std::string this_cell = matrix_cell(cell.variant, got, cell.tool_row->searches_seeds, has_gate(*cell.c));
      if (cell.runs == 0) {
        cell.got = got;
        cell.cell = this_cell;
        cell.reason = r.check.reason;
        if (const auto* why = r.judgement.deciding()) cell.summary = why->summary;
      } else if (this_cell != cell.cell) {
        cell.cell = "flaky";
        cell.got += "|" + got;
      }
      if (!r.check.passed && cell.runs > 0) cell.reason = r.check.reason;
      cell.runs++;
      cell.passed += r.check.passed;
      cell.seconds.push_back(r.run.duration_s);
      std::lock_guard lock(print_mutex);
      if (!cell.note.empty()) fmt::print("  {} {} [{}]: {}\n", cell.c->id, cell.variant, cell.tool, cell.note);
      if (k == args.repeat - 1)
        fmt::print("[{}/{}] {} {} [{}]: {} ({}) {} {:.2f}s\n", ++finished, to_run, cell.c->id, cell.variant, cell.tool,
                   cell.got, cell.cell, cell.passed == cell.runs ? "as declared" : "MISMATCH: " + cell.reason,
                   r.run.duration_s);
      if (!r.check.passed && args.verbose) print_verdict(stdout, r.run, r.judgement);
      std::fflush(stdout);
    }
  };
  parallel_for(args.jobs, cells.size(), [&] { return interrupted || stop_signal(); }, run_cell);
  if (interrupted) return 128 + interrupted;
  if (const auto signo = stop_signal()) return 128 + *signo;
  same_warnings_as_fixed_is_missed(cells);

  int mismatches = 0;
  for (const auto& cell : cells) mismatches += cell.declared && cell.passed != cell.runs;
  if (args.measure) {  // what the undeclared cells showed, as manifest lines
    for (const auto& cell : cells)
      if (!cell.declared && cell.runs > 0)
        fmt::print("undeclared {} [{}] {} = \"{}\"  # {}{}\n", cell.c->id, cell.variant, cell.tool, cell.got, cell.summary,
                   cell.note.empty() ? "" : " (" + cell.note + ")");
  }
  fmt::print("\n{} cells run, {} as declared, {} mismatched, {} n.a.\n", to_run, to_run - mismatches, mismatches,
             cells.size() - to_run);
  if (!args.json.empty()) {
    nlohmann::json out = {{"tree", catalog.tool()}, {"tools", tools}, {"repeat", args.repeat}, {"jobs", args.jobs}};
    out["cells"] = nlohmann::json::array();
    for (const auto& cell : cells) out["cells"].push_back(to_json(cell));
    write_json(args.json, out);
  }
  return mismatches == 0 ? 0 : 1;
}

}  // namespace conclab::cli
