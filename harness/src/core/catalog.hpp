// catalog: the cases of a source tree and where a build keeps their binaries.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/manifest.hpp"

namespace conclab {

struct Case {
  std::string id;  // "<category>/<bug>"
  std::string category, bug;
  std::filesystem::path dir;
  Manifest manifest;
};

class Catalog {
 public:
  // `tool`: the tool this build runs its binaries under; `tools`: the names a manifest may declare.
  Catalog(std::filesystem::path source_dir, std::filesystem::path build_dir, std::string tool, ToolNames tools);

  // Every case under <source>/cases, sorted by id; a bad manifest throws ManifestError.
  std::vector<Case> all() const;
  // Throws HarnessError for an unknown id, ManifestError for a bad manifest.
  Case find(const std::string& id) const;
  // The binary this build made of a variant; throws HarnessError when it was not built.
  std::filesystem::path binary(const Case& c, const std::string& variant) const;
  const std::string& tool() const { return tool_; }

 private:
  Case load(const std::filesystem::path& dir) const;

  std::filesystem::path source_dir_, build_dir_;
  std::string tool_;
  std::vector<ToolName> tools_;
};


}  // namespace conclab
