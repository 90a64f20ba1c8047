#include "junit_report.hpp"
#include "output_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "spawn.hpp"

namespace conclab {

namespace {

// Length of the well-formed UTF-8 sequence at text[i], 0 when it is not one.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return 0;
  return n;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const auto n = utf8_length(text, i);
    if (n == 0) {  // not UTF-8 (program output can be anything): XML cannot hold it
      out += '?';
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters; keep tab and newline, replace the rest.
        if (c < 0x20 && c != '\t' && c != '\n') out += '?';
        else out += static_cast<char>(c);
    }
    ++i;
  }
  return out;
}

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
