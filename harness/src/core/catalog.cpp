#include "core/catalog.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/build_info.hpp"
#include "core/errors.hpp"

namespace conclab {
namespace fs = std::filesystem;

Catalog::Catalog(fs::path source_dir, fs::path build_dir, std::string tool, ToolNames tools)
    : source_dir_(std::move(source_dir)),
      build_dir_(std::move(build_dir)),
      tool_(std::move(tool)),
      tools_(tools.begin(), tools.end()) {}

Case Catalog::load(const fs::path& dir) const {
  Case c;
  c.dir = dir;
  c.bug = dir.filename().string();
  c.category = dir.parent_path().filename().string();
  c.id = c.category + "/" + c.bug;
  for (const char* required : {"buggy.cpp", "fixed.cpp", "README.md"}) {
    if (!fs::exists(dir / required)) throw ManifestError(fmt::format("{}: case lacks {}", dir.string(), required));
  }
  c.manifest = load_manifest(dir / "manifest.toml", tools_);
  return c;
}

std::vector<Case> Catalog::all() const {
  std::vector<Case> cases;
  std::error_code ec;
  for (const auto& category : fs::directory_iterator(source_dir_ / "cases", ec)) {
    if (!category.is_directory()) continue;
    for (const auto& bug : fs::directory_iterator(category.path())) {
      if (bug.is_directory() && fs::exists(bug.path() / "manifest.toml")) cases.push_back(load(bug.path()));
    }
  }
  if (ec) throw HarnessError(fmt::format("cannot list cases in '{}': {}", (source_dir_ / "cases").string(), ec.message()));
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.id < b.id; });
  return cases;
}

Case Catalog::find(const std::string& id) const {
  const auto dir = source_dir_ / "cases" / id;
  const bool well_formed = std::count(id.begin(), id.end(), '/') == 1 && id.find("..") == std::string::npos;
  if (!well_formed || !fs::exists(dir / "manifest.toml"))
    throw HarnessError(fmt::format("unknown case '{}' (see 'conclab list')", id));
  return load(dir);
}

fs::path Catalog::binary(const Case& c, const std::string& variant) const {
  auto path = build_dir_ / "cases" / c.category / c.bug / variant;
  if (!fs::exists(path))
    throw HarnessError(fmt::format("case {} has no '{}' binary in this build ({}): build it first", c.id, variant,
                                   path.string()));
  return path;
}

}  // namespace conclab
