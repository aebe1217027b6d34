"""Run inside a private mount namespace (`unshare -m`) by test_fix_safety: put a copy of a real
environment on a small tmpfs, run `tfdoctor fix --yes` on it with an installer that fills the
disk once it has installed, and write what happened (exit status, output, differences between
the environment before and after, once the filler is gone) to a JSON file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from fixenv import differences, tree_hash


def main(job: dict[str, object]) -> None:
    mount = Path(str(job["mount"]))
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    size = f"size={job['size_mb']}m"
    subprocess.run(["mount", "-t", "tmpfs", "-o", size, "tmpfs", str(mount)], check=True)
    env = mount / "env"
    subprocess.run(["cp", "-a", str(job["env"]), str(env)], check=True)
    before = tree_hash(env)
    argv = [str(job["python"]), "-m", "tfdoctor", "fix", "--yes", "--python", str(env)]
    fix = subprocess.run(
        [*argv, "--format", "json"],
        env=dict(job["environ"]),  # type: ignore[call-overload]
        capture_output=True,
        text=True,
        timeout=900,
    )
    filler = mount / "filler"
    filled = filler.stat().st_size if filler.exists() else 0
    filler.unlink(missing_ok=True)
    journals = sorted((env / ".tfdoctor").glob("journal-*.json"))
    state = json.loads(journals[-1].read_text())["state"] if journals else ""
    result = {
        "returncode": fix.returncode,
        "stdout": fix.stdout,
        "stderr": fix.stderr,
        "filled": filled,
        "differences": differences(before, tree_hash(env)),
        "journal_state": state,
    }
    Path(str(job["result"])).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
