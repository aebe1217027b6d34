#!/usr/bin/env bash
# The GitHub Action's (action.yml) shell step. Runs the same way on a developer's machine:
#   GITHUB_ACTION_PATH=. RUNNER_TEMP=/tmp/x bash scripts/action.sh
# Inputs (environment): TFDOCTOR_PYTHON (default: python on PATH), TFDOCTOR_DEEP (true|false),
# TFDOCTOR_LINT_PATHS (space-separated; empty: no lint), TFDOCTOR_INSTALL (pip spec; default:
# this checkout), TFDOCTOR_FAIL_ON_ERROR (true|false).
# Writes check-status, errors and sarif to $GITHUB_OUTPUT, the report to $GITHUB_STEP_SUMMARY.
# tfdoctor goes into a venv of its own: the environment being checked is never changed.
set -uo pipefail

action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}"
work="${RUNNER_TEMP:-$(mktemp -d)}/tfdoctor"
outputs="${GITHUB_OUTPUT:-/dev/null}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
mkdir -p "$work"

target="${TFDOCTOR_PYTHON:-}"
if [ -z "$target" ]; then
  target="$(command -v python || command -v python3 || true)"
fi
if [ -z "$target" ]; then
  echo "::error title=tfdoctor::no Python on PATH; set up Python first (actions/setup-python)"
  exit 2
fi
echo "tfdoctor: checking $target"

# 1. install tfdoctor beside the job's environment, not into it
tool_python="$(command -v python3 || command -v python)"
venv="$work/venv"
if [ ! -x "$venv/bin/tfdoctor" ]; then
  spec="${TFDOCTOR_INSTALL:-$action_path[lint]}"
  if command -v uv >/dev/null 2>&1; then
    uv venv --quiet --python "$tool_python" "$venv" && uv pip install --quiet --python "$venv/bin/python" "$spec"
  else
    "$tool_python" -m venv "$venv" && "$venv/bin/python" -m pip install --quiet "$spec"
  fi || { echo "::error title=tfdoctor::could not install tfdoctor ($spec)"; exit 2; }
fi
tfdoctor="$venv/bin/tfdoctor"

# 2. check the job's environment
deep=()
[ "${TFDOCTOR_DEEP:-false}" = "true" ] && deep=(--deep)
"$tfdoctor" check --python "$target" "${deep[@]}" --format markdown >"$work/check.md" 2>"$work/check.err"
check_status=$?
cat "$work/check.md" "$work/check.err"
{ cat "$work/check.md"; cat "$work/check.err"; } >>"$summary"
"$tfdoctor" check --python "$target" --format json >"$work/check.json" 2>/dev/null
errors="$("$venv/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["errors"])' "$work/check.json" 2>/dev/null || echo 0)"
echo "check-status=$check_status" >>"$outputs"
echo "errors=$errors" >>"$outputs"

# 3. lint the code against the Keras/TensorFlow of that environment, as SARIF
if [ -n "${TFDOCTOR_LINT_PATHS:-}" ]; then
  sarif="$work/tfdoctor.sarif"
  read -r -a paths <<<"$TFDOCTOR_LINT_PATHS"
  "$tfdoctor" lint "${paths[@]}" --python "$target" --format sarif >"$sarif"
  lint_status=$?
  if [ "$lint_status" -le 1 ]; then
    echo "sarif=$sarif" >>"$outputs"
    echo "tfdoctor: lint wrote $sarif (exit status $lint_status)"
  else
    echo "::warning title=tfdoctor::lint could not run (exit status $lint_status)"
  fi
fi

if [ "$check_status" -ge 2 ]; then
  echo "::error title=tfdoctor::check could not examine $target (exit status $check_status)"
  exit "$check_status"
fi
if [ "$check_status" -eq 1 ] && [ "${TFDOCTOR_FAIL_ON_ERROR:-true}" = "true" ]; then
  echo "::error title=tfdoctor::$errors error finding(s) in $target; see the job summary"
  exit 1
fi
exit 0
