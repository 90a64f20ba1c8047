#include "judge/verdict.hpp"
#include "judge/asio_tracking.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>

#include "judge/findings_group.hpp"
#include "judge/reports.hpp"

namespace conclab {
namespace {

bool has_finding(const std::vector<Finding>& findings, Outcome kind) {
  return std::any_of(findings.begin(), findings.end(), [kind](const Finding& f) { return f.kind == kind; });
}

// "ns::Account::bump(long&) const" names "bump", "Account::bump" and itself; ABI tags
// ("capture[abi:cxx11](...)") are not part of the name.
bool frame_names(const Frame& frame, std::string_view name) {
  std::string_view function = frame.function;
  const auto call = function.starts_with("operator()") ? function.find('(', 10) : function.find('(');
  function = function.substr(0, call);  // a lambda's frame keeps its name, "operator()"
  function = function.substr(0, function.find("[abi:"));
  if (function == name) return true;
  return function.size() > name.size() + 2 && function.ends_with(name) &&
         function.substr(function.size() - name.size() - 2, 2) == "::";
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// Empty when the program ended by itself (an exit, or a signal of its own making).
std::string cut_short(const RunResult& run) {
  if (run.interrupted_by) return "conclab was stopped by " + signal_name(*run.interrupted_by) + " and ended it";
  if (run.hang) return "it was stuck and conclab ended it";
  if (run.timed_out) return fmt::format("the time limit ended it after {:.1f} s", run.duration_s);
  if (run.limit_hit == "cpu") return fmt::format("the CPU-time limit ({} s of CPU, SIGXCPU) ended it", run.cpu_limit_s);
  if (run.limit_hit == "file_size") return "the file-size limit (SIGXFSZ) ended it";
  if (run.limit_hit == "memory" && run.signal) return "the memory limit ended it (the kernel's OOM kill)";
  return {};
}

}  // namespace

const Finding* Judgement::deciding() const {
  for (const auto& f : findings)
    if (f.kind == outcome) return &f;
  return nullptr;
}

std::string limit_name(const std::string& limit_hit) {
  if (limit_hit == "time") return "the time limit";
  if (limit_hit == "cpu") return "the CPU-time limit";
  if (limit_hit == "file_size") return "the file-size limit";
  if (limit_hit == "memory") return "the memory limit";
  if (limit_hit == "processes") return "the process limit";
  return limit_hit;
}

Judgement classify(const RunResult& run) {
  Judgement j;
  j.cut_short = cut_short(run);
  j.findings = reports::parse(run.err.text);
  for (auto& marker : reports::parse_program_markers(run.out.text)) j.findings.push_back(std::move(marker));
  for (auto& marker : reports::parse_program_markers(run.err.text)) j.findings.push_back(std::move(marker));
  for (auto& stall : reports::parse_loop_stalls(run.err.text, run.loop_stall_ms)) j.findings.push_back(std::move(stall));

  if (run.hang) {
    const auto& h = *run.hang;
    Finding f{h.kind, "watchdog", first_line(describe(h)), {}, {}};
    // Every waiter's stack, first waiter first: across processes the interesting one (a child
    // stuck in a lock) is often not the first (its parent in waitpid).
    for (const auto& w : h.cycle) f.frames.insert(f.frames.end(), w.frames.begin(), w.frames.end());
    j.findings.push_back(std::move(f));
  } else if (run.timed_out) {
    j.findings.push_back({Outcome::timeout, "watchdog",
                          fmt::format("still running at the time limit ({:.1f} s); ended by the watchdog",
                                      run.duration_s),
                          {}, run.signal});
  } else if (run.limit_hit == "cpu") {
    // Out of time as much as at the wall-clock limit: the program was still working.
    j.signal = run.signal;
    j.findings.push_back({Outcome::timeout, "watchdog",
                          fmt::format("still running when it had used its CPU-time limit ({} s of CPU; SIGXCPU after "
                                      "{:.1f} s): it did not finish",
                                      run.cpu_limit_s, run.duration_s),
                          {}, run.signal});
  } else if (run.signal) {
    j.signal = run.signal;
    if (!has_finding(j.findings, Outcome::crash))
      j.findings.push_back({Outcome::crash, "program",
                            "killed by " + signal_name(*run.signal) +
                                (run.limit_hit.empty() ? "" : " (" + limit_name(run.limit_hit) + " of the run was reached)"),
                            {}, run.signal});
  } else if (run.exit_code.value_or(0) != 0 && j.findings.empty()) {
    j.findings.push_back({Outcome::exit_nonzero, "program", fmt::format("exited with status {}", *run.exit_code), {}, {}});
  }

  // A limit that stopped part of the tree is never clean (docs/outcomes.md): the OOM killer's
  // SIGKILL of a child is a crash even when the leader exits 0; a fork refused at the process
  // limit is one when nothing else explains the run.
  if (run.limit_hit == "memory" && !run.signal)
    j.findings.push_back({Outcome::crash, "watchdog",
                          "a process of the run was killed by SIGKILL (the run's memory limit was reached)", {}, SIGKILL});
  if (run.limit_hit == "processes" && j.findings.empty() && run.orphans.empty())
    j.findings.push_back({Outcome::crash, "watchdog",
                          "a fork or a new thread was refused at the run's process limit: part of the program never ran",
                          {}, {}});

  if (!run.orphans.empty()) {
    constexpr std::size_t kNamed = 3;
    std::string who;
    for (std::size_t i = 0; i < std::min(kNamed, run.orphans.size()); ++i) {
      const auto& o = run.orphans[i];
      who += fmt::format("{}{} ({})", i ? ", " : "", o.pid, o.command.empty() ? o.name : o.command);
    }
    if (run.orphans.size() > kNamed) who += fmt::format(" and {} more", run.orphans.size() - kNamed);
    j.findings.push_back({Outcome::orphan_process, "watchdog",
                          fmt::format("{} process(es) still running after the program ended: {}; ended by conclab{}",
                                      run.orphans.size(), who,
                                      run.limit_hit == "processes" ? " (forking stopped at the run's process limit)" : ""),
                          {}, {}});
  }
  if (!run.leftovers.empty()) {
    std::string removed, kept;
    for (const auto& l : run.leftovers)
      (l.removed ? removed : kept) += fmt::format("{}{} {}", (l.removed ? removed : kept).empty() ? "" : ", ", l.kind, l.path);
    std::string summary = "left behind: ";
    if (!removed.empty()) summary += removed + "; removed by conclab";
    if (!kept.empty())
      summary += (removed.empty() ? "" : "; and ") + kept +
                 "; not removed (nothing ties it to the run: another program may own it)";
    j.findings.push_back({Outcome::ipc_leak, "watchdog", summary, {}, {}});
  }

  j.findings = group_findings(std::move(j.findings));
  decide_outcome(j);
  return j;
}

void decide_outcome(Judgement& j) {
  j.outcome = Outcome::clean;
  for (const auto& f : j.findings) {
    if (f.known || f.suppressed) continue;
    if (priority(f.kind) > priority(j.outcome)) j.outcome = f.kind;
    if (!j.signal && f.kind == Outcome::crash && f.signal) j.signal = f.signal;
  }
}

Check judge(const Judgement& judgement, const Expectation& expected) {
  if (judgement.outcome != expected.outcome)
    return {false, fmt::format("expected {}, got {}", to_string(expected.outcome), to_string(judgement.outcome))};
  if (!expected.function.empty()) {
    for (const auto& f : judgement.findings) {
      if (f.kind != expected.outcome) continue;
      const auto in_function = [&](const std::vector<Frame>& frames) {
        return std::any_of(frames.begin(), frames.end(), [&](const Frame& fr) { return frame_names(fr, expected.function); });
      };
      // The culprit of a race may be the previous access, which TSan prints second.
      if (in_function(f.frames) ||
          std::any_of(f.stacks.begin(), f.stacks.end(), [&](const Stack& st) {
            return st.role == "previous_access" && in_function(st.frames);
          }))
        return {true, fmt::format("{} in {}", to_string(expected.outcome), expected.function)};
    }
    return {false, fmt::format("got {} as expected, but no frame of it is in function '{}'",
                               to_string(expected.outcome), expected.function)};
  }
  return {true, std::string(to_string(expected.outcome))};
}

}  // namespace conclab
