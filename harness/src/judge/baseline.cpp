#include "judge/baseline.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "core/errors.hpp"

namespace conclab {
namespace {

// Every "fingerprint" of a finding and every SARIF partialFingerprints["conclab/v1"], wherever
// they sit in the document (a run, an array of runs, a SARIF log).
void collect(const nlohmann::json& node, std::set<std::string>& found) {
  if (node.is_array()) {
    for (const auto& item : node) collect(item, found);
    return;
  }
  if (!node.is_object()) return;
  if (const auto f = node.find("fingerprint"); f != node.end() && f->is_string()) found.insert(f->get<std::string>());
  if (const auto p = node.find("partialFingerprints"); p != node.end() && p->is_object())
    if (const auto v = p->find("conclab/v1"); v != p->end() && v->is_string()) found.insert(v->get<std::string>());
  for (const auto& [key, value] : node.items())
    if (value.is_structured()) collect(value, found);
}

}  // namespace

std::set<std::string> load_baseline(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw HarnessError(fmt::format("--baseline: cannot read '{}'", file.string()));
  const auto document = nlohmann::json::parse(in, nullptr, false);
  if (document.is_discarded())
    throw HarnessError(fmt::format("--baseline: '{}' is not JSON (a conclab --json report or SARIF)", file.string()));
  // A run's report, a --gtest report (its runs under "tests") or check --json's array of runs.
  const bool conclab = document.is_object() ? document.contains("findings") || document.contains("tests") : document.is_array();
  const bool sarif = document.is_object() && document.contains("runs");
  if (!conclab && !sarif)
    throw HarnessError(fmt::format("--baseline: '{}' is neither a conclab --json report nor SARIF", file.string()));
  std::set<std::string> found;
  collect(document, found);
  return found;
}

void apply_baseline(Judgement& judgement, const std::set<std::string>& known) {
  for (auto& f : judgement.findings) {
    // A bare exit status or signal ("exited with status 1", "killed by SIGABRT") names no place:
    // every later abort would match it, so it is never known.
    const bool unlocated = f.tool == "program" && (f.kind == Outcome::crash || f.kind == Outcome::exit_nonzero);
    f.known = f.tool != "watchdog" && !unlocated && known.contains(f.fingerprint);
  }
  decide_outcome(judgement);
}

}  // namespace conclab
