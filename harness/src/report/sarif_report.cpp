#include "report/sarif_report.hpp"
#include "core/output_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "core/outcome_text.hpp"
#include "core/toolchain.hpp"

namespace conclab {
namespace {

using nlohmann::json;

constexpr const char* kSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

std::string percent_encode(std::string_view path) {
  std::string out;
  for (const unsigned char c : path) {
    if (std::isalnum(c) || std::strchr("-._~/!$&'()*+,;=:@", c) != nullptr) out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

json physical(const std::filesystem::path& source_dir, const std::string& file, int line) {
  json p = {{"artifactLocation", sarif_artifact(source_dir, file)}};
  if (line > 0) p["region"] = {{"startLine", line}};
  return p;
}

// A frame's file can be placed when it is absolute, or relative to the project (as the compiler was
// given it); a library's build path ("../sysdeps/...") cannot.
bool placeable(const std::filesystem::path& source_dir, const std::string& file) {
  if (file.empty()) return false;
  if (file.front() == '/') return true;
  std::error_code ec;
  return std::filesystem::exists(source_dir / file, ec);
}

// A frame as a SARIF location: physical when the tool knew the file, logical (the function) always.
json frame_location(const std::filesystem::path& source_dir, const Frame& f) {
  json loc = json::object();
  if (placeable(source_dir, f.file)) loc["physicalLocation"] = physical(source_dir, f.file, f.line);
  else if (!f.file.empty()) loc["properties"] = {{"file", f.file}, {"line", f.line}};
  if (!f.function.empty()) {
    loc["logicalLocations"] = json::array({{{"fullyQualifiedName", f.function}, {"kind", "function"}}});
    loc["message"] = {{"text", f.function}};
  }
  return loc;
}

// A stack, innermost frame first, as a thread flow: SARIF orders a flow's locations as they were
// executed, outermost caller first.
json thread_flow(const std::filesystem::path& source_dir, const std::vector<Frame>& frames, const std::string& message) {
  json locations = json::array();
  int depth = 0;
  for (auto it = frames.rbegin(); it != frames.rend(); ++it)
    locations.push_back({{"location", frame_location(source_dir, *it)}, {"nestingLevel", depth++}});
  json flow = {{"locations", std::move(locations)}};
  if (!message.empty()) flow["message"] = {{"text", message}};
  return flow;
}

std::string first_own_file(const std::filesystem::path& source_dir, const std::vector<Frame>& frames, int& line) {
  for (const auto& f : own_frames(frames, frames.size())) {
    if (placeable(source_dir, f.file)) {
      line = f.line;
      return f.file;
    }
  }
  return {};
}

}  // namespace

json sarif_artifact(const std::filesystem::path& source_dir, const std::string& file) {
  const std::string root = source_dir.string() + (source_dir.string().ends_with('/') ? "" : "/");
  if (file.starts_with(root)) return {{"uri", percent_encode(file.substr(root.size()))}, {"uriBaseId", "SRCROOT"}};
  if (!file.empty() && file.front() == '/') return {{"uri", "file://" + percent_encode(file)}};
  return {{"uri", percent_encode(file)}, {"uriBaseId", "SRCROOT"}};  // relative: as the compiler was given it
}

json sarif_report(const ReportInput& input) {
  std::vector<Outcome> rule_order;
  std::map<Outcome, int> rule_index;
  json results = json::array();
  std::set<std::tuple<std::string, std::string, std::string, Outcome, std::string, int>> seen;

  for (const auto& r : input.runs) {
    for (const auto& f : r.judgement.findings) {
      int line = 0;
      std::string file = first_own_file(input.source_dir, f.frames, line);
      // Repeated runs report the same finding: one result for it.
      if (!seen.emplace(r.case_id, r.variant, r.tool, f.kind, file.empty() ? f.summary : file, line).second) continue;
      if (!rule_index.contains(f.kind)) {
        rule_index[f.kind] = static_cast<int>(rule_order.size());
        rule_order.push_back(f.kind);
      }
      json result = {
          {"ruleId", std::string(to_string(f.kind))},
          {"ruleIndex", rule_index[f.kind]},
          {"level", std::string(outcome_level(f.kind))},
          {"message", {{"text", fmt::format("{} ({} variant, {}, reported by {}): {}", r.case_id, r.variant, r.tool,
                                            f.tool, f.summary)}}},
      };
      // Where a dashboard shows it: the first frame in the program's own code; else the variant's source.
      if (file.empty()) {
        file = r.source.string();
        line = 1;
      }
      result["locations"] = json::array({{{"physicalLocation", physical(input.source_dir, file, line)}}});
      json flows = json::array();
      const bool stuck = r.hang && (f.kind == Outcome::deadlock || f.kind == Outcome::ipc_deadlock || f.kind == Outcome::hang);
      if (stuck) {
        json threads = json::array();
        for (const auto& w : r.hang->cycle) {
          if (w.frames.empty()) continue;
          threads.push_back(thread_flow(input.source_dir, w.frames,
                                        fmt::format("thread {}/{} ({}) waits for {} {}", w.thread.pid, w.thread.tid,
                                                    w.name, w.waits_for, w.object)));
        }
        if (!threads.empty())
          flows.push_back({{"message", {{"text", fmt::format("the wait-for {} of the stuck run", to_string(f.kind))}}},
                           {"threadFlows", std::move(threads)}});
      } else if (f.stacks.size() > 1) {  // both sides of a race, an allocation and a free...: each a thread flow
        json threads = json::array();
        for (const auto& stack : f.stacks)
          if (!stack.frames.empty()) threads.push_back(thread_flow(input.source_dir, stack.frames, stack.role + ": " + stack.title));
        flows.push_back({{"message", {{"text", "the stacks " + f.tool + " reported"}}}, {"threadFlows", std::move(threads)}});
      } else if (!f.frames.empty()) {
        flows.push_back({{"message", {{"text", "the stack " + f.tool + " reported"}}},
                         {"threadFlows", json::array({thread_flow(input.source_dir, f.frames, "")})}});
      }
      if (!f.fingerprint.empty()) result["partialFingerprints"] = {{"conclab/v1", f.fingerprint}};
      if (!flows.empty()) result["codeFlows"] = std::move(flows);
      result["properties"] = {{"case", r.case_id},        {"variant", r.variant},
                              {"tool", r.tool},           {"reporter", f.tool},
                              {"outcome", std::string(to_string(r.judgement.outcome))},
                              {"expected", std::string(to_string(r.expected.outcome))},
                              {"as_declared", r.passed}};
      results.push_back(std::move(result));
    }
  }

  json rules = json::array();
  for (const auto o : rule_order) {
    rules.push_back({{"id", std::string(to_string(o))},
                     {"shortDescription", {{"text", std::string(outcome_meaning(o))}}},
                     {"defaultConfiguration", {{"level", std::string(outcome_level(o))}}}});
  }
  std::size_t mismatched = std::count_if(input.runs.begin(), input.runs.end(), [](const RunRecord& r) { return !r.passed; });
  json run = {
      {"tool", {{"driver", {{"name", "conclab"}, {"version", toolchain::kVersion}, {"rules", std::move(rules)}}}}},
      {"originalUriBaseIds", {{"SRCROOT", {{"uri", "file://" + percent_encode(input.source_dir.string() + "/")}}}}},
      {"invocations", json::array({{{"executionSuccessful", true},
                                    {"properties", {{"title", input.title}, {"runs", input.runs.size()},
                                                    {"mismatched", mismatched}}}}})},
      {"results", std::move(results)},
      {"properties", {{"tool", input.tool}}},
  };
  if (!input.category.empty()) run["automationDetails"] = {{"id", input.category}};
  return {{"$schema", kSchema}, {"version", "2.1.0"}, {"runs", json::array({std::move(run)})}};
}

void write_sarif(const std::filesystem::path& file, const ReportInput& input) {
  write_output_file(file, sarif_report(input).dump(2, ' ', false, json::error_handler_t::replace) + '\n');
}

}  // namespace conclab
