#!/usr/bin/env bash
# How the real_*.txt files here were produced (Linux x86_64, 2 CPU cores, no GPU, CPython 3.11.7).
# Each file starts with one '# captured:' header line naming the environment and the command;
# the rest is the verbatim stdout+stderr of that command.
#   explain-tf215: uv venv --python 3.11 && uv pip install tensorflow-cpu==2.15.1
#   explain-tf221: uv venv --python 3.11 && uv pip install tensorflow-cpu==2.21.0
# Broken states are forced by swapping one package with `uv pip install --no-deps`; see each header.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ENVS=${ENVS:-/work/envs}
UV=${UV:-/work/main/.venv/bin/uv}
export TF_CPP_MIN_LOG_LEVEL=0

# capture NAME ENVDESC -- COMMAND...   (runs in a scratch directory)
capture() {
    local name=$1 desc=$2; shift 3
    local scratch; scratch=$(mktemp -d)
    local cmd="$*"
    { echo "# captured: real run; env: ${desc//$'\n'/ }; command: ${cmd//$'\n'/; }"
      (cd "$scratch" && "$@") 2>&1 ; } > "$HERE/$name.txt"
    rm -rf "$scratch"
    echo "== $name: $(tail -1 "$HERE/$name.txt")"
}
