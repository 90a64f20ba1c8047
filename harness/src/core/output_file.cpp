#include "core/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "core/errors.hpp"

namespace conclab {
namespace fs = std::filesystem;
namespace {

bool is_special(const fs::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

fs::path folder_of(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

[[noreturn]] void fail(const fs::path& path, int error) {
  throw HarnessError(fmt::format("cannot write '{}': {}", path.string(), std::strerror(error)));
}

// Writes all of `text` to `fd` and closes it; the first errno, or 0.
int write_all_and_close(int fd, std::string_view text) {
  int error = 0;
  for (std::size_t done = 0; done < text.size() && error == 0;) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) error = n < 0 ? errno : ENOSPC;
    else done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 && error == 0 && errno != EINTR) error = errno;
  return error;
}

}  // namespace

void check_output_path(std::string_view option, const std::string& path) {
  if (path.empty()) throw HarnessError(fmt::format("{}: the file name is empty", option));
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw HarnessError(fmt::format("{}: '{}' is a folder", option, path));
    if (::access(path.c_str(), W_OK) != 0)
      throw HarnessError(fmt::format("{}: cannot write '{}': {}", option, path, std::strerror(errno)));
    if (!S_ISREG(st.st_mode)) return;  // a device or FIFO: written in place
  }
  const fs::path folder = folder_of(path);
  if (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw HarnessError(fmt::format("{}: cannot write '{}': no folder '{}'", option, path, folder.string()));
  if (::access(folder.c_str(), W_OK | X_OK) != 0)
    throw HarnessError(fmt::format("{}: cannot write '{}': folder '{}': {}", option, path, folder.string(),
                                   std::strerror(errno)));
}

fs::path temporary_sibling(const fs::path& path) {
  static std::atomic<unsigned> serial{0};
  return folder_of(path) / fmt::format(".{}.conclab-tmp.{}.{}", path.filename().string(), ::getpid(), serial++);
}

void commit_output_file(const fs::path& temporary, const fs::path& path) {
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    fail(path, error);
  }
}

void write_output_file(const fs::path& path, std::string_view text) {
  if (path.empty()) throw HarnessError("cannot write a file with an empty name");
  if (is_special(path)) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) fail(path, errno);
    if (const int error = write_all_and_close(fd, text)) fail(path, error);
    return;
  }
  const fs::path temporary = temporary_sibling(path);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) fail(path, errno);
  if (const int error = write_all_and_close(fd, text)) {
    ::unlink(temporary.c_str());
    fail(path, error);
  }
  commit_output_file(temporary, path);
}

}  // namespace conclab
