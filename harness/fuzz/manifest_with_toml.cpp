// harness/src/core/manifest.cpp for the manifest fuzz target, with toml++ compiled in rather than taken
// from Debian's shared, uninstrumented libtomlplusplus, so that the TOML parser is fuzzed too.
// toml++'s internal assertions are off, as in Debian's library (built by g++ with NDEBUG, where
// they compile to nothing): toml++ 3.3.0 asserts a precondition that input like "[[=" breaks
// (marzer/tomlplusplus#301, seeds/manifest/regression-toml-parse-key-assert.toml), where the
// shipped library reports a parse error.
#define TOML_HEADER_ONLY 1
#define TOML_ASSERT(expr) static_assert(true)
#include "core/manifest.cpp"
