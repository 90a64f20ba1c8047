// junit_report: the runs as JUnit XML, one testcase per run, for CI systems that read JUnit but do
// not use ctest (ctest --output-junit stays the way for those who do).
#pragma once

#include <filesystem>
#include <string>

#include "run_record.hpp"

namespace conclab {

std::string junit_report(const ReportInput& input);

// Writes it; throws HarnessError naming the file when it cannot.
void write_junit(const std::filesystem::path& file, const ReportInput& input);

// Text made safe for XML character data and attributes; bytes XML 1.0 cannot hold become '?'.
std::string xml_escape(std::string_view text);

}  // namespace conclab
