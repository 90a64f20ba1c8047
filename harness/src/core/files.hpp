// files: reading a whole file, the one place that does it (procfs, cgroup files, manifests,
// sources, a run's trace); and whether a program is on $PATH.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace conclab {

// The file's bytes; nullopt when it cannot be opened or a read fails part-way.
std::optional<std::string> read_file(const std::filesystem::path& file);

// The same, or HarnessError "cannot read 'FILE'" for a file the command needs.
std::string read_needed_file(const std::filesystem::path& file);

// Whether `program` is an executable file in one of $PATH's folders (a tool's "is it installed").
bool on_path(std::string_view program);

}  // namespace conclab
