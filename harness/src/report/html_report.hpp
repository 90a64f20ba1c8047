// html_report: one self-contained HTML page (no script, no external file) for a tour or a check:
// the matrix of cases and tools, each finding with its stacks and the source lines they point at,
// a stuck run's wait-for graph as inline SVG (Graphviz), and the durations.
#pragma once

#include <filesystem>
#include <string>

#include "hang/hang.hpp"
#include "report/run_record.hpp"

namespace conclab {

std::string html_report(const ReportInput& input);

// Writes it; throws HarnessError naming the file when it cannot.
void write_html(const std::filesystem::path& file, const ReportInput& input);

// The wait-for graph as an <svg> element (Graphviz's dot); empty when dot is missing or fails.
std::string graph_svg(const HangReport& hang);

}  // namespace conclab
