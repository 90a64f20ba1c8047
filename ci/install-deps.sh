#!/usr/bin/env bash
# Installs every Debian 12 package conclab needs. Idempotent; run as root (or via sudo).
set -euo pipefail
packages=(
  cmake ninja-build g++ clang libclang-rt-14-dev libc++-14-dev libc++abi-14-dev clang-tidy-19
  googletest libgtest-dev libbenchmark-dev
  libboost1.81-dev libboost-filesystem1.81-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev
  valgrind graphviz elfutils
  python3 gnuplot-nox linux-perf hyperfine
  chromium python3-jsonschema python3-jinja2
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v npm >/dev/null || missing+=(npm)  # npm from Debian only where the machine has none
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "install-deps: done"
fi
# The CI templates' linters (ci/templates/), from the npm registry: action-validator (a WebAssembly
# build, no download) for GitHub Actions; gitlab-ci-local, which validates against GitLab's JSON
# schema offline (4.52: later versions need Node.js 22).
if ! command -v action-validator >/dev/null; then
  echo "install-deps: npm install -g @action-validator/cli@0.6.0"
  $SUDO npm install -g --no-fund --no-audit @action-validator/cli@0.6.0 >/dev/null
fi
if ! gitlab-ci-local --version 2>/dev/null | grep -qx 4.52.0; then
  echo "install-deps: npm install -g gitlab-ci-local@4.52.0"
  $SUDO npm install -g --no-fund --no-audit gitlab-ci-local@4.52.0 >/dev/null
fi
