// files: reading a whole file, the one place that does it (procfs, cgroup files, manifests,
// sources, a run's trace).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace conclab {

// The file's bytes; nullopt when it cannot be opened or a read fails part-way.
std::optional<std::string> read_file(const std::filesystem::path& file);

// The same, or HarnessError "cannot read 'FILE'" for a file the command needs.
std::string read_needed_file(const std::filesystem::path& file);

}  // namespace conclab
