#!/usr/bin/env bash
# Install portctl for the composite action (action.yml), from a pinned source.
#
# Why never the caller's checkout: in a pull request the workspace holds files the PR's author
# wrote; installing (running) code from there would hand the job's credentials to them. So the
# choice is, first match wins:
#   PORTCTL_SOURCE               the `source` input, installed as given
#   PORTCTL_REF (+ _REPOSITORY)  `git+https://github.com/OWNER/NAME@REF`; REF must be a release
#                                tag or a full commit SHA (a branch moves: it is not a pin)
#   the action's own repository  $GITHUB_ACTION_PATH/../../.. when it is portctl's source tree:
#                                with `uses: OWNER/portctl/.github/actions/portctl@REF` that is
#                                portctl at REF, fetched by the runner with the action
# otherwise (a copy of the action in a specs repository without `portctl-ref`) it stops with an
# error saying what to set.
set -euo pipefail

fail() {
  echo "::error title=portctl action::$1"
  exit 1
}

own_tree="$(cd "$GITHUB_ACTION_PATH/../../.." && pwd)"
if [ -n "${PORTCTL_SOURCE:-}" ]; then
  target="$PORTCTL_SOURCE"
  why="input source"
elif [ -n "${PORTCTL_REF:-}" ]; then
  ref="$PORTCTL_REF"
  repository="${PORTCTL_REPOSITORY:-}"
  if ! [[ "$ref" =~ ^[0-9a-f]{40}$ || "$ref" =~ ^v?[0-9]+(\.[0-9]+)*([-+][0-9A-Za-z.-]+)?$ ]]; then
    fail "portctl-ref '$ref' is not a release tag (v1.2.3) or a full commit SHA"
  fi
  if ! [[ "$repository" =~ ^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$ ]]; then
    fail "portctl-ref needs portctl-repository as owner/name (got '$repository')"
  fi
  target="git+https://github.com/$repository@$ref"
  why="input portctl-ref"
elif grep -qx 'name = "sinch-portctl"' "$own_tree/pyproject.toml" 2>/dev/null; then
  target="$own_tree"
  why="the portctl repository this action belongs to"
else
  fail "this copy of the portctl action is not inside the portctl repository, so it does not know which portctl to install: set the input portctl-ref (a release tag or full commit SHA) and portctl-repository (owner/name), or source"
fi

echo "Installing portctl from $target ($why)"
# -I: isolated mode, so nothing in the current directory (or PYTHON* variables) is imported.
python -I -m pip install --disable-pip-version-check --quiet "$target"
portctl --version
