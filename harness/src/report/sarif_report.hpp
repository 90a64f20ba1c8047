// sarif_report: the runs' findings as SARIF 2.1.0, for code-scanning dashboards
// (docs/json-report.md, "SARIF"). One result per finding, located at its first frame in the
// program's own code, its stack (or a stuck run's wait-for cycle) as code flows.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "report/run_record.hpp"

namespace conclab {

nlohmann::json sarif_report(const ReportInput& input);

// A path as a SARIF artifact location: relative to SRCROOT (the project) when inside it, else an
// absolute file: URI; characters a URI cannot hold are percent-encoded.
nlohmann::json sarif_artifact(const std::filesystem::path& source_dir, const std::string& file);

// Writes it; throws HarnessError naming the file when it cannot.
void write_sarif(const std::filesystem::path& file, const ReportInput& input);

}  // namespace conclab
