// Fuzz target: parse_manifest, the TOML manifest loader (toml++ compiled in, so that the TOML
// parser is instrumented too). Any input either loads into a manifest that declares every variant
// and tool, or is rejected with a ManifestError naming the file; nothing else may escape.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "manifest.hpp"

using conclab::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::string_view kFile = "cases/fuzz/input/manifest.toml";
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const conclab::Manifest manifest = conclab::parse_manifest(text, kFile);
    require(manifest.timeout_s > 0 && manifest.timeout_s <= 3600, "timeout_s is in (0, 3600]");
    for (const auto variant : conclab::kVariants) {
      for (const auto tool : conclab::kTools) {
        const auto& expectation = manifest.expectation(variant, tool);
        const double timeout = manifest.timeout_for(expectation);
        require(timeout > 0 && timeout <= 3600, "a run's timeout_s is in (0, 3600]");
      }
    }
  } catch (const conclab::ManifestError& error) {
    require(std::string_view(error.what()).starts_with(std::string(kFile) + ":"), "an error names the file");
  }
  return 0;
}
