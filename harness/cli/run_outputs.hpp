// run_outputs: what `conclab run` builds before a run and writes after it, shared by the plain
// run and the GoogleTest run (gtest_command.cpp).
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "commands.hpp"
#include "hang/hang.hpp"
#include "run/spawn.hpp"

namespace conclab::cli {

// The run the options ask for: time limit, detector environment, limits, hang window, seed.
RunSpec run_spec(const RunArgs& args);

// DOT as is; SVG through Graphviz's dot when the file ends in .svg. Throws HarnessError.
void write_graph(const std::string& file, const HangReport& hang);

// The captured streams as DIR/stdout.txt and DIR/stderr.txt. Throws HarnessError.
void keep_output(const std::filesystem::path& dir, const RunResult& run);

// Runs one write; on failure prints its one line and returns false (the others are still written).
bool write_or_report(const std::function<void()>& write);

}  // namespace conclab::cli
