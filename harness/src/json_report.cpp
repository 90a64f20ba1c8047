#include "json_report.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace conclab {
namespace {

nlohmann::json frames_json(const std::vector<Frame>& frames) {
  auto out = nlohmann::json::array();
  for (const auto& f : frames) out.push_back({{"function", f.function}, {"file", f.file}, {"line", f.line}});
  return out;
}

nlohmann::json stream_json(const Capture& c) {
  return {{"bytes", c.total_bytes}, {"truncated", c.truncated}};
}

nlohmann::json thread_json(const ThreadRef& t) { return {{"pid", t.pid}, {"tid", t.tid}}; }

// For a deadlock the cycle in order; for a hang every blocked thread; at a timeout the threads
// stuck through the last window: all in the same shape.
nlohmann::json waits_json(const std::vector<Wait>& waits) {
  auto items = nlohmann::json::array();
  for (const auto& w : waits) {
    auto wakers = nlohmann::json::array();
    for (const auto& ref : w.wakers) wakers.push_back(thread_json(ref));
    items.push_back({{"pid", w.thread.pid},
                     {"tid", w.thread.tid},
                     {"thread", w.name},
                     {"waits_for", w.waits_for},
                     {"object", w.object},
                     {"held_by", w.held_by ? thread_json(*w.held_by) : nlohmann::json(nullptr)},
                     {"wakers", std::move(wakers)},
                     {"frames", frames_json(w.frames)}});
  }
  return items;
}

}  // namespace

nlohmann::json to_json(const RunResult& run, const Judgement& judgement) {
  nlohmann::json report;
  report["outcome"] = to_string(judgement.outcome);
  report["exit_code"] = run.exit_code ? nlohmann::json(*run.exit_code) : nlohmann::json(nullptr);
  report["signal"] = judgement.signal ? nlohmann::json(signal_name(*judgement.signal)) : nlohmann::json(nullptr);
  report["duration_s"] = run.duration_s;
  auto findings = nlohmann::json::array();
  for (const auto& f : judgement.findings) {
    findings.push_back({{"kind", to_string(f.kind)},
                        {"tool", f.tool},
                        {"summary", f.summary},
                        {"frames", frames_json(f.frames)}});
  }
  report["findings"] = std::move(findings);
  if (run.hang) report["cycle"] = waits_json(run.hang->cycle);
  if (!run.hang && (run.timed_out || run.interrupted_by)) report["stuck"] = waits_json(run.stuck);
  report["timed_out"] = run.timed_out;
  report["strays_killed"] = run.strays_killed;
  auto orphans = nlohmann::json::array();
  for (const auto& o : run.orphans) orphans.push_back({{"pid", o.pid}, {"name", o.name}, {"command", o.command}});
  report["orphans"] = std::move(orphans);
  auto leftovers = nlohmann::json::array();
  for (const auto& l : run.leftovers) leftovers.push_back({{"kind", l.kind}, {"path", l.path}});
  report["leftovers"] = std::move(leftovers);
  report["limits"] = run.limits_applied;
  report["limit_hit"] = run.limit_hit.empty() ? nlohmann::json(nullptr) : nlohmann::json(run.limit_hit);
  report["stdout"] = stream_json(run.out);
  report["stderr"] = stream_json(run.err);
  return report;
}

void write_json(const std::filesystem::path& file, const nlohmann::json& report) {
  std::ofstream out(file);
  // Program output may hold invalid UTF-8: replace it rather than fail the report.
  if (out) out << report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  if (!out) throw HarnessError(fmt::format("cannot write '{}': {}", file.string(), std::strerror(errno)));
}

}  // namespace conclab
