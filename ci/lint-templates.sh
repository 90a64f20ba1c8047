#!/usr/bin/env bash
# Lints the CI templates a project copies (ci/templates/) with the CI systems' own schemas, offline:
# action-validator for GitHub Actions, gitlab-ci-local (GitLab's JSON schema; it wants a git
# repository, so the template is checked in a throw-away one). A broken template fails the gate.
set -euo pipefail
cd "$(dirname "$0")/.."
action-validator ci/templates/github-actions.yml
echo "ci/templates/github-actions.yml: valid"
repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT
cp ci/templates/gitlab-ci.yml "$repo/.gitlab-ci.yml"
git -C "$repo" init -q
git -C "$repo" -c user.name=conclab -c user.email=conclab@localhost commit -q --allow-empty -m template
(cd "$repo" && gitlab-ci-local --list >"$repo/list.txt" 2>&1) || { cat "$repo/list.txt" >&2; exit 1; }
echo "ci/templates/gitlab-ci.yml: valid"
