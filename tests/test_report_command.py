"""``tfdoctor report``: the Markdown block for a bug report, redacted; and no secret of the
environment in any output of any command."""

from __future__ import annotations

import getpass
import json
import os
import re
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

import specs
from cli_runner import Runner
from envs import EnvSpec

pytestmark = pytest.mark.realenv


def test_report_is_one_markdown_block_with_details_and_redacted(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF215_KERAS3)
    result = tfdoctor("report", "--python", str(env))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.count("<details>") == text.count("</details>") == 5
    for summary in ("Findings (1)", "Key versions", "sys.path and where each entry comes from"):
        assert f"<summary>{summary}</summary>" in text
    assert "- ❌ **TFD101** `keras-version-mismatch`: keras 3.15.1 does not match" in text
    assert "| tensorflow | tensorflow-cpu | 2.15.1 | uv |" in text
    assert "| site-packages |" in text and "| stdlib |" in text
    assert "Not run: `tfdoctor report --deep`" in text
    home = os.path.expanduser("~")
    assert home not in text and "~/" in text, "the home folder is ~"
    for name in (getpass.getuser(), socket.gethostname()):
        if len(name) >= 3:
            assert not re.search(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", text)
    kept = tfdoctor("report", "--python", str(env), "--no-redact")
    assert str(env) in kept.stdout


def test_report_deep_shows_the_failing_step(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF221_KERAS2)
    text = tfdoctor("report", "--python", str(env), "--deep").stdout
    failing = text.split("<summary>Last failing step</summary>")[1].split("</details>")[0]
    assert "`resolve tf.keras` failed:" in failing or "`import tensorflow` failed:" in failing
    assert "```text\nTraceback (most recent call last):" in failing
    assert os.path.expanduser("~") + "/" not in failing


SECRETS = {
    "HF_TOKEN": "hf_Zq8SECRETHFTOKEN4711",
    # an index whose password is a token; nothing listens on port 9, so uv fails at once
    "UV_EXTRA_INDEX_URL": "https://__token__:pypi-SECRETUVINDEX0815@127.0.0.1:9/simple",
    "PIP_INDEX_URL": "https://ci-bot:SECRETPIPINDEX4242@127.0.0.1:9/simple",
    # a value the probe collects and prints (a missing PYTHONPATH entry is a finding)
    "PYTHONPATH": "/tmp/mirror/https://deploy:SECRETPYTHONPATH99@example.org/lib",
    "UV_HTTP_RETRIES": "0",  # the unreachable index fails at once instead of after retries
}
SECRET_VALUES = (
    "SECRETHFTOKEN4711",
    "SECRETUVINDEX0815",
    "SECRETPIPINDEX4242",
    "SECRETPYTHONPATH99",
)


def test_no_secret_of_the_environment_in_any_output(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = str(real_env(specs.TF215_KERAS3))
    code = tmp_path / "train.py"
    code.write_text(
        f"# token: {SECRETS['HF_TOKEN']}\nimport keras\nfrom tensorflow import keras as tfk\n"
        "model = keras.Sequential([tfk.layers.Dense(1)])\n",
        encoding="utf-8",
    )
    log = (
        "Traceback (most recent call last):\n"
        f'  File "{SECRETS["UV_EXTRA_INDEX_URL"]}/train.py", line 3, in <module>\n'
        f"ValueError: A KerasTensor cannot be used as input to a TensorFlow function. {SECRETS['HF_TOKEN']}\n"
    )
    runs: list[tuple[tuple[str, ...], str | None]] = []
    for fmt in ("text", "json", "markdown"):
        runs += [
            (("check", "--python", env, "--format", fmt), None),
            (("check", "--python", env, "--format", fmt, "-v"), None),
            (("check", "-r", "-", "--format", fmt), "tensorflow==2.15.1\n"),
            (("explain", "-", "--format", fmt), log),
        ]
    for fmt in ("text", "json", "sarif"):
        runs.append((("lint", str(code), "--format", fmt), None))
    for fmt in ("text", "json"):
        runs += [(("fix", "--python", env, "--dry-run", "--format", fmt), None)]
        runs += [(("rules", "TFD101", "--format", fmt), None)]
    runs += [
        (("report", "--python", env), None),
        (("report", "--python", env, "--no-redact"), None),
    ]
    redacted_somewhere = False
    for args, stdin in runs:
        result = tfdoctor(*args, env=SECRETS, stdin=stdin, cwd=tmp_path)
        output = result.stdout + result.stderr
        leaked = [s for s in SECRET_VALUES if s in output]
        assert not leaked, f"{args}: {leaked}\n{output[-2000:]}"
        assert result.returncode in (0, 1, 2), (args, output[-2000:])
        redacted_somewhere |= "***" in output
        if args[0] == "report":
            assert "`UV_EXTRA_INDEX_URL=https://***@127.0.0.1:9/simple`" in result.stdout
    assert redacted_somewhere


def test_the_filter_is_not_needed_without_secrets(tfdoctor: Runner) -> None:
    """Without secrets in the environment nothing is filtered (and nothing is imported for it)."""
    result = tfdoctor("rules", "TFD101", "--format", "json")
    assert json.loads(result.stdout)["rules"][0]["code"] == "TFD101"
