// junit_report: the runs as JUnit XML, one testcase per run, for CI systems that read JUnit but do
// not use ctest (ctest --output-junit stays the way for those who do).
#pragma once

#include <filesystem>
#include <string>

#include "report/run_record.hpp"

namespace conclab {

std::string junit_report(const ReportInput& input);

// Writes it; throws HarnessError naming the file when it cannot.
void write_junit(const std::filesystem::path& file, const ReportInput& input);

}  // namespace conclab
