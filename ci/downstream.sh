#!/usr/bin/env bash
# conclab as another project sees it: installs a release tree into a temporary prefix, builds
# examples/downstream against that prefix alone and tests it under the example's tsan and asan
# presets (the buggy work queue caught, the fixed one clean); then builds the Debian package, checks
# that it holds exactly the files the install did, and runs the packaged conclab.
#   bash ci/downstream.sh [RELEASE_TREE]      (default build/release, configured and built already)
set -euo pipefail
cd "$(dirname "$0")/.."
tree=${1:-build/release}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "=== README, 'Use it in your project': the shell block as written, the CMake block's lines in the example"
readme_block() { awk -v lang="$1" '/^## Use it in your project/ {in_section = 1}
  in_section && $0 == "```" lang {in_block = 1; next}
  in_block && $0 == "```" {exit}
  in_block' README.md; }
mkdir -p "$work/home"
if [ "$tree" = build/release ]; then HOME="$work/home" bash -euo pipefail -c "$(readme_block sh)"; fi
while IFS= read -r line; do
  grep -qxF -- "$line" examples/downstream/CMakeLists.txt ||
    { echo "ci/downstream.sh: README's CMake line is not in examples/downstream/CMakeLists.txt: $line" >&2; exit 1; }
done < <(readme_block cmake)

cmake --install "$tree" --prefix "$work/prefix" >/dev/null
for preset in tsan asan; do
  echo "=== examples/downstream, preset $preset, against the installed conclab only"
  cmake -S examples/downstream --preset "$preset" -B "$work/example-$preset" \
    -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
  cmake --build "$work/example-$preset"
  ctest --test-dir "$work/example-$preset" --output-on-failure
  # Each test's SARIF, with a code-scanning category of its own (what the GitHub template uploads).
  python3 - "$work/example-$preset/conclab-reports" "example-$preset" <<'PY'
import json, pathlib, sys
folder, tree = pathlib.Path(sys.argv[1]), sys.argv[2]
files = sorted(folder.glob("*.sarif"))
assert files, f"no SARIF in {folder}"
for f in files:
    run = json.loads(f.read_text())["runs"][0]
    want = f"conclab/{tree}/{f.stem}/"
    assert run.get("automationDetails", {}).get("id") == want, f"{f}: category {run.get('automationDetails')} != {want}"
print(f"{len(files)} SARIF reports, one category each")
PY
done

echo "=== Debian package"
(cd "$tree" && cpack -G DEB -B "$work/deb" >/dev/null)
deb=$(ls "$work"/deb/*.deb)
dpkg-deb -f "$deb" Package Version Depends Recommends
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./usr/||' | sort >"$work/deb.files"
(cd "$work/prefix" && find . -type f -o -type l) | sed 's|^\./||' | sort >"$work/install.files"
if ! diff "$work/install.files" "$work/deb.files"; then
  echo "ci/downstream.sh: the package and cmake --install hold different files (< install, > package)" >&2
  exit 1
fi
echo "the package holds the $(wc -l <"$work/deb.files") files cmake --install writes"
dpkg-deb -x "$deb" "$work/extracted"
"$work/extracted/usr/bin/conclab" run --expect clean -- /bin/true
