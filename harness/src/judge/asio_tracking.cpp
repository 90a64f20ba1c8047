#include "judge/asio_tracking.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <unordered_map>

#include "judge/report_text.hpp"

namespace conclab::reports {
namespace {

constexpr std::string_view kPrefix = "@asio|";
constexpr std::size_t kNamedStalls = 5;

struct Event {
  double at = 0;
  char action = 0;  // '*' created, '>' entered, '<' left, '!' threw, '~' destroyed
  std::string_view id, operation;
  std::string_view creator;  // '*': the handler that created it ("0": none)
};

std::optional<double> seconds(std::string_view text) {
  double value = 0;
  if (text.empty() || text.size() > 32) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (ec != std::errc{} || end != text.data() + text.size() || !(value >= 0)) return std::nullopt;
  return value;
}

bool is_id(std::string_view s) {
  return !s.empty() && s.size() <= 20 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// `@asio|1298728820.364839|0*1|signal_set@0x7fff.async_wait` and its kin; nullopt for anything else.
std::optional<Event> parse_line(std::string_view line) {
  const auto start = line.find(kPrefix);
  if (start == std::string_view::npos) return std::nullopt;
  line.remove_prefix(start + kPrefix.size());
  const auto bar1 = line.find('|');
  if (bar1 == std::string_view::npos) return std::nullopt;
  const auto at = seconds(line.substr(0, bar1));
  if (!at) return std::nullopt;
  line.remove_prefix(bar1 + 1);
  const auto bar2 = line.find('|');
  const auto action = line.substr(0, bar2);
  const auto rest = bar2 == std::string_view::npos ? std::string_view{} : line.substr(bar2 + 1);
  Event e{*at, 0, {}, {}};
  if (const auto star = action.find('*'); star != std::string_view::npos) {
    if (!is_id(action.substr(0, star)) || !is_id(action.substr(star + 1))) return std::nullopt;
    e.action = '*';
    e.creator = action.substr(0, star);
    e.id = action.substr(star + 1);
    e.operation = rest;
    return e;
  }
  if (action.size() < 2 || std::string_view("><!~").find(action[0]) == std::string_view::npos) return std::nullopt;
  if (!is_id(action.substr(1))) return std::nullopt;
  e.action = action[0];
  e.id = action.substr(1);
  return e;
}

struct Handler {
  std::string_view operation, creator;
  std::optional<double> created, entered, left;
};

// At most this many entries are looked at inside one slow handler's run.
constexpr std::size_t kMaxScan = 10000;

}  // namespace

std::vector<SlowHandler> slow_handlers(std::string_view text, double limit_ms) {
  std::unordered_map<std::string_view, Handler> handlers;
  std::vector<std::string_view> order;  // ids in the order they first appear
  detail::for_each_line(text, [&](std::string_view line) {
    if (line.find(kPrefix) == std::string_view::npos) return true;
    const auto e = parse_line(line);
    if (!e) return true;
    auto [it, fresh] = handlers.try_emplace(e->id);
    if (fresh) order.push_back(e->id);
    auto& h = it->second;
    switch (e->action) {
      case '*': h.created = e->at; h.operation = e->operation; h.creator = e->creator; break;
      case '>': if (!h.entered) h.entered = e->at; break;
      case '<': case '!': if (h.entered && !h.left) h.left = e->at; break;
      default: break;  // '~': never ran
    }
    return true;
  });

  // Handlers waiting at time t: created before t, entered at or after it. With created <= entered,
  // that is #(created < t) - #(entered < t), two binary searches (a handler counts itself in both).
  std::vector<double> created, entered;
  for (const auto& [id, h] : handlers) {
    if (!h.created || !h.entered || *h.created > *h.entered) continue;
    created.push_back(*h.created);
    entered.push_back(*h.entered);
  }
  std::sort(created.begin(), created.end());
  std::sort(entered.begin(), entered.end());
  const auto waiting_at = [&](double t) {
    const auto before = [](const std::vector<double>& v, double t) { return std::lower_bound(v.begin(), v.end(), t) - v.begin(); };
    return static_cast<int>(before(created, t) - before(entered, t));
  };

  // Another handler that started while this one ran, and that it did not create (a handler it ran
  // inline), ran on another thread: the loop was not held, one of its threads was.
  std::vector<std::pair<double, std::string_view>> entries;  // (entered, id)
  for (const auto& [id, h] : handlers)
    if (h.entered) entries.emplace_back(*h.entered, id);
  std::sort(entries.begin(), entries.end());
  const auto others_ran_meanwhile = [&](std::string_view id, const Handler& h) {
    auto it = std::upper_bound(entries.begin(), entries.end(), std::make_pair(*h.entered, std::string_view("~")));
    for (std::size_t seen = 0; it != entries.end() && it->first < *h.left; ++it, ++seen) {
      if (seen == kMaxScan) return true;
      if (it->second != id && handlers.at(it->second).creator != id) return true;
    }
    return false;
  };

  std::vector<SlowHandler> slow;
  for (const auto id : order) {
    const auto& h = handlers.at(id);
    if (!h.entered || !h.left || !((*h.left - *h.entered) * 1e3 > limit_ms)) continue;
    if (others_ran_meanwhile(id, h)) continue;
    SlowHandler s{std::string(id), detail::printable(h.operation), *h.entered, *h.left, waiting_at(*h.left)};
    if (s.waiting > 0) slow.push_back(std::move(s));
  }
  std::stable_sort(slow.begin(), slow.end(),
                   [](const SlowHandler& a, const SlowHandler& b) { return a.duration_ms() > b.duration_ms(); });
  return slow;
}

std::vector<Finding> parse_loop_stalls(std::string_view text, double limit_ms) {
  std::vector<Finding> found;
  if (text.find(kPrefix) == std::string_view::npos) return found;  // not a tracking program: nothing to read
  const auto slow = slow_handlers(text, limit_ms);
  for (std::size_t i = 0; i < slow.size() && i < kNamedStalls; ++i) {
    const auto& s = slow[i];
    found.push_back({Outcome::loop_stall, "asio",
                     detail::one_line(fmt::format("handler {}{} ran {:.0f} ms (limit {:.0f} ms) while {} other handler{} waited",
                                          s.id, s.operation.empty() ? "" : " (" + s.operation + ")", s.duration_ms(),
                                          limit_ms, s.waiting, s.waiting == 1 ? "" : "s")),
                     {}, std::nullopt});
  }
  if (slow.size() > kNamedStalls)
    found.push_back({Outcome::loop_stall, "asio",
                     fmt::format("and {} more handlers over {:.0f} ms", slow.size() - kNamedStalls, limit_ms), {},
                     std::nullopt});
  return found;
}

}  // namespace conclab::reports
