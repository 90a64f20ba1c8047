#include "report/junit_report.hpp"
#include "core/output_file.hpp"
#include "report/markup.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>


namespace conclab {

std::string junit_report(const ReportInput& input) {
  const auto failures = std::count_if(input.runs.begin(), input.runs.end(), [](const RunRecord& r) { return !r.passed; });
  double total = 0;
  for (const auto& r : input.runs) total += r.duration_s;
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format("<testsuites name=\"conclab\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{:.3f}\">\n",
                     input.runs.size(), failures, total);
  xml += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{:.3f}\">\n",
                     xml_escape(input.title), input.runs.size(), failures, total);
  std::map<std::string, int> seen;  // repeated runs of one variant get numbered names
  for (const auto& r : input.runs) {
    std::string classname = r.case_id;
    std::replace(classname.begin(), classname.end(), '/', '.');
    std::string name = fmt::format("{} [{}]", r.variant, r.tool);
    if (const int n = ++seen[classname + " " + name]; n > 1) name += fmt::format(" run {}", n);
    xml += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\">\n", xml_escape(classname),
                       xml_escape(name), r.duration_s);
    std::string details = fmt::format("outcome: {} ({})\n", to_string(r.judgement.outcome), r.ended);
    for (const auto& f : r.judgement.findings) {
      details += fmt::format("[{}] {}: {}\n", f.tool, to_string(f.kind), f.summary);
      for (const auto& frame : own_frames(f.frames))
        details += fmt::format("    at {}  {}:{}\n", frame.function, frame.file, frame.line);
    }
    if (!r.passed)
      xml += fmt::format("      <failure type=\"mismatch\" message=\"{}\">{}</failure>\n", xml_escape(r.reason),
                         xml_escape(details));
    xml += fmt::format("      <system-out>expected {}: {}{}</system-out>\n", to_string(r.expected.outcome),
                       r.passed ? "as declared\n" : "MISMATCH\n", xml_escape(details));
    xml += "    </testcase>\n";
  }
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

void write_junit(const std::filesystem::path& file, const ReportInput& input) {
  write_output_file(file, junit_report(input));
}

}  // namespace conclab
