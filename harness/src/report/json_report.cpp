#include "report/json_report.hpp"
#include "core/output_file.hpp"

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

nlohmann::json stacks_json(const std::vector<Stack>& stacks) {
  auto out = nlohmann::json::array();
  for (const auto& s : stacks) {
    nlohmann::json one{{"role", s.role}, {"title", s.title}, {"frames", frames_json(s.frames)}};
    if (!s.access.empty()) {
      one["access"] = s.access;
      one["size"] = s.size;
      one["thread"] = s.thread;
      one["mutexes"] = s.mutexes;
    }
    out.push_back(std::move(one));
  }
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
                        {"frames", frames_json(f.frames)},
                        {"stacks", stacks_json(f.stacks)},
                        {"location", f.location.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.location)},
                        {"count", f.count},
                        {"paths", f.paths},
                        {"fingerprint", f.fingerprint},
                        {"known", f.known},
                        {"suppressed", f.suppressed}});
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
  for (const auto& l : run.leftovers) leftovers.push_back({{"kind", l.kind}, {"path", l.path}, {"removed", l.removed}});
  report["leftovers"] = std::move(leftovers);
  report["limits"] = run.limits_applied;
  report["limit_hit"] = run.limit_hit.empty() ? nlohmann::json(nullptr) : nlohmann::json(run.limit_hit);
  report["interrupted"] = run.interrupted_by ? nlohmann::json(signal_name(*run.interrupted_by)) : nlohmann::json(nullptr);
  auto signalled = nlohmann::json::array();
  for (const auto& s : run.signalled_harness) signalled.push_back({{"signal", signal_name(s.signo)}, {"pid", s.sender}});
  report["signalled_conclab"] = std::move(signalled);
  report["cpu_limit_s"] = run.cpu_limit_s;
  report["complete"] = judgement.cut_short.empty();
  report["cut_short"] = judgement.cut_short.empty() ? nlohmann::json(nullptr) : nlohmann::json(judgement.cut_short);
  report["stdout"] = stream_json(run.out);
  report["stderr"] = stream_json(run.err);
  return report;
}

void write_json(const std::filesystem::path& file, const nlohmann::json& report) {
  // Program output may hold invalid UTF-8: replace it rather than fail the report.
  write_output_file(file, report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + '\n');
}

}  // namespace conclab
