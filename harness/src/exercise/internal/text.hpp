// Text helpers of workshop mode: the case's own files and a participant's program output, in
// lines and words. Internal to exercise/.
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/files.hpp"
#include "core/output_file.hpp"

namespace conclab::exercise::internal {

inline std::string read_text(const std::filesystem::path& file) { return read_needed_file(file); }

inline void write_text(const std::filesystem::path& file, std::string_view text) { write_output_file(file, text); }

inline std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

inline std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline std::string trim(std::string_view s) {
  const auto begin = s.find_first_not_of(" \t\n");
  if (begin == std::string_view::npos) return {};
  const auto end = s.find_last_not_of(" \t\n");
  return std::string(s.substr(begin, end - begin + 1));
}

inline std::string indent(std::string_view text, std::string_view by) {
  std::string out;
  for (const auto& line : lines_of(text)) out += std::string(by) + line + "\n";
  return out;
}

inline std::string plural(int n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

inline std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

}  // namespace conclab::exercise::internal
