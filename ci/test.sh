#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, then configures, builds and tests
# every preset, writing JUnit per preset to build/<preset>/junit.xml. Fails if a run leaked
# anything into /dev/shm.
set -euo pipefail
cd "$(dirname "$0")/.."
presets=("$@")
[ $# -gt 0 ] || presets=(release tsan asan fuzz)

bash ci/install-deps.sh
shm_before=$(ls -A /dev/shm | sort)
# Where CI's time goes (its budget is in README): one line per phase, summed up at the end.
timings=()
print_timings() { printf '%s\n' "=== time per phase (${SECONDS} s in all)" "${timings[@]}"; }
trap print_timings EXIT  # a failed phase too: it ends the script
timed() {
  local name=$1 start=$SECONDS
  shift
  local status=0
  "$@" || status=$?
  timings+=("$(printf "%5d s  %s" $((SECONDS - start)) "$name")")
  [ "$status" -eq 0 ] || { timings[-1]+=" (failed: exit $status)"; return "$status"; }
}
for preset in "${presets[@]}"; do
  echo "=== preset $preset: configure, build, test"
  timed "$preset: configure and build" sh -c 'cmake --preset "$1" >/dev/null && cmake --build --preset "$1"' sh "$preset"
  timed "$preset: tests" ctest --preset "$preset" --output-junit junit.xml
done
# conclab as another project uses it (installed, packaged) and the CI templates, with the release tree.
if [[ " ${presets[*]} " == *" release "* ]]; then
  echo "=== downstream: install, find_package, conclab_add_test, the Debian package"
  timed "downstream" bash ci/downstream.sh build/release
  echo "=== CI templates"
  timed "CI templates" bash ci/lint-templates.sh
fi
leaked=$(comm -13 <(echo "$shm_before") <(ls -A /dev/shm | sort))
if [ -n "$leaked" ]; then
  echo "ci/test.sh: the tests left these in /dev/shm: $leaked" >&2
  exit 1
fi
echo "ci/test.sh: all presets passed: ${presets[*]}"
