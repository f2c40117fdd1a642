#!/usr/bin/env bash
# Follow README.md as a new user would: clone the repository afresh, make a fresh virtual
# environment, and run every command of the README's code blocks in order (bash blocks line
# by line, python blocks with python), failing on the first error. Blocks the README marks
# `<!-- new_user_check: skip (reason) -->` are left out (long full runs, optional extras).
#
#   scripts/new_user_check.sh [REPOSITORY]        (default: this checkout; commits only)
#
# Nothing is downloaded except Python packages from the package index: SAESSAK_OFFLINE=1,
# so datasets must come from $SAESSAK_DATA (CI points it at the shared copies). The user's
# home is a fresh empty folder (~/.saessak starts empty); pip keeps its config and cache.
# At the end the clone must be clean: the README's commands may not change tracked files.
set -euo pipefail
REPO=$(cd "${1:-$(dirname "$0")/..}" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/saessak-new-user.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PYTHON=${PYTHON:-python3}

git clone -q "$REPO" "$WORK/saessak"
"$PYTHON" -m venv "$WORK/venv"
"$PYTHON" "$REPO/scripts/readme_steps.py" "$WORK/saessak/README.md" "$WORK" > "$WORK/steps.sh"

export XDG_CONFIG_HOME="${XDG_CONFIG_HOME:-$HOME/.config}"  # pip's user config
export XDG_CACHE_HOME="${XDG_CACHE_HOME:-$HOME/.cache}"     # and its download cache
export HOME="$WORK/home"
mkdir -p "$HOME"
export SAESSAK_OFFLINE=1 MPLBACKEND=Agg
unset SAESSAK_HOME SAESSAK_RESULTS
# shellcheck disable=SC1091
. "$WORK/venv/bin/activate"
cd "$WORK/saessak"
start=$SECONDS
bash "$WORK/steps.sh"
dirty=$(git status --porcelain --untracked-files=no)
if [ -n "$dirty" ]; then
    echo "new_user_check: the README's commands changed tracked files:" >&2
    echo "$dirty" >&2
    exit 1
fi
echo "new_user_check: every README command passed in $((SECONDS - start)) s"
