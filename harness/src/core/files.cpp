#include "core/files.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "core/errors.hpp"

namespace conclab {

std::optional<std::string> read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return std::nullopt;
  return text;
}

std::string read_needed_file(const std::filesystem::path& file) {
  auto text = read_file(file);
  if (!text) throw HarnessError(fmt::format("cannot read '{}'", file.string()));
  return std::move(*text);
}

}  // namespace conclab
