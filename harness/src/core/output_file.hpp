// output_file: how conclab writes a file it was asked for (--json, --sarif, --junit, --html,
// --graph, an exercise's files): to a temporary file in the same folder, every write checked,
// closed, then renamed over the target, so a full disk or a crash leaves the old file or none,
// never half of one. A path that names a device or a FIFO (/dev/stdout, /dev/full) cannot be
// renamed over: it is opened and written directly, every write checked.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace conclab {

// Before a run: throws HarnessError ("--json: '' is empty", "--json: no folder 'x/'...") when
// `path` could not be written, so a typo is found before a 20-minute run, not after it.
void check_output_path(std::string_view option, const std::string& path);

// Throws HarnessError ("cannot write 'FILE': REASON") when any step fails; removes its temporary file.
void write_output_file(const std::filesystem::path& path, std::string_view text);

// A temporary file's name next to `path`, for a tool (dot) that writes the file itself; the
// caller renames it with commit_output_file() or removes it.
std::filesystem::path temporary_sibling(const std::filesystem::path& path);
void commit_output_file(const std::filesystem::path& temporary, const std::filesystem::path& path);

}  // namespace conclab
