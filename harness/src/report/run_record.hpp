// run_record: judged runs as the file reports see them (html_report, sarif_report, junit_report).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "hang/hang.hpp"
#include "core/manifest.hpp"
#include "judge/verdict.hpp"

namespace conclab {

// One run of one variant of one case, judged.
struct RunRecord {
  std::string case_id;  // "<category>/<bug>"
  std::string variant;  // "buggy" | "fixed"
  std::string tool;     // the tool the binary was built for
  std::filesystem::path source;  // the variant's source file: where a finding without frames points
  Expectation expected;
  Judgement judgement;
  std::optional<HangReport> hang;  // a stuck run's wait-for graph
  double duration_s = 0;
  std::string ended;  // how it ended, e.g. "exit 66, 0.41 s"
  bool passed = false;
  std::string reason;  // judge()'s one line
};

// Everything a report shows: the runs, and the catalog's declarations for the matrix.
struct ReportInput {
  std::string title;  // e.g. "conclab tour [tsan]"
  std::string tool;   // the tool of the tree that made the runs
  std::filesystem::path source_dir;  // the project: relative paths in reports, source lines
  std::vector<Case> cases;           // in the order the matrix lists them
  std::vector<RunRecord> runs;
  double total_s = 0;  // wall time of the whole command
  // SARIF's runs[].automationDetails.id (code scanning's "category"): one per analysis uploaded
  // beside others, e.g. "conclab/tsan/work_queue.buggy_is_caught/"; empty: none.
  std::string category{};
};

}  // namespace conclab
