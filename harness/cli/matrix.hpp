// matrix: `conclab matrix` runs cases under one or more tools of this tree and classifies each run
// as a detector-matrix cell (docs/detector-matrix.md, written by measure/matrix.sh from each tree's JSON).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/catalog.hpp"

namespace CLI {
class App;
}

namespace conclab::cli {

struct MatrixArgs {
  std::vector<std::string> tools;  // empty: every tool this tree runs (release: release, helgrind, drd, stress, tsa)
  std::string match;               // ECMAScript regex on "<category>/<bug>"; empty: every case
  std::optional<std::string> variant;
  int jobs = 1;
  int repeat = 1;     // runs per cell; the cell is the outcome of every run agreeing, else "flaky"
  std::string json;   // write every run to FILE (measure/matrix.sh merges the trees' files)
  bool verbose = false;  // print each mismatched run's verdict
  bool measure = false;  // also run undeclared cells (with release's arguments) to learn what to declare
};

// Adds the `matrix` subcommand to app; returns it so main can ask whether it was parsed.
CLI::App* add_matrix_command(CLI::App& app, MatrixArgs& args);
int matrix_command(const MatrixArgs& args);

// The tools the conclab of this tree can judge: its own, and on the release tree helgrind, drd and
// stress (a cell of stress is one seed search: docs/stress.md), and tsa (a compile: tsa_tool.hpp).
std::vector<std::string> tree_tools();

// A run's cell: "caught" | "missed" for a buggy variant, "clean" | "false alarm" for a fixed one;
// "tool error" for either when the tool could not run the program (counted in neither).
// Caught means an outcome that names a problem; wrong_result, exit_nonzero and timeout are only
// the program's symptom, so a buggy run ending in one of them (or clean) is missed.
// Under stress a buggy variant is caught by any outcome but clean or timeout (the gates forced nothing),
// if the case has a gate: without one (`gated` false) the seed perturbs nothing, stress runs the
// program as release does, and its buggy cell is "no gate" (counted in neither, like a tool error).
// `searches_seeds`: the tool's registry row says a cell is a seed search (tools/registry.hpp).
std::string matrix_cell(const std::string& variant, const std::string& outcome, bool searches_seeds = false,
                        bool gated = true);

// Whether the case's buggy program uses conclab's gates (includes conclab/gate.hpp): the scheduling
// points stress perturbs. measure/matrix_report.py decides it the same way.
bool has_gate(const Case& c);

}  // namespace conclab::cli
