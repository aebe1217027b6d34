"""``tfdoctor demo``, for real: it builds the broken environment with uv (from uv's cache once the
suite has built its TensorFlow 2.15 environments), and shows check, explain and fix at work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cli_runner import Runner

pytestmark = pytest.mark.realenv


def test_demo_finds_explains_and_fixes_the_classic_broken_environment(tfdoctor: Runner) -> None:
    result = tfdoctor("demo", timeout=900)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    steps = re.findall(r"^── (\d)/6 ", out, flags=re.MULTILINE)
    assert steps == ["1", "2", "3", "4", "5", "6"]
    parts = re.split(r"^── \d/6 .*$", out, flags=re.MULTILINE)
    build, example, check, explain, fix, again = parts[1:]
    assert "$ uv pip install --python env tensorflow-cpu==2.15.1" in build
    assert "$ uv pip install --python env 'keras>=3'" in build
    assert "ValueError: A KerasTensor cannot be used as input to a TensorFlow function" in example
    assert "✗ TFD101 keras 3." in check and "TensorFlow 2.15.1 (tensorflow-cpu)" in check
    # TensorFlow 2.15's tf.keras loads keras._tf_keras.keras when `keras` is Keras 3
    # (tensorflow/python/util/lazy_loader.py): one Keras, Keras 3, runs Keras 2 code, so no
    # objects of two implementations meet; the root cause is the Keras that TF 2.15 does not
    # want, which the environment proves (TFD101) and explain --python puts first; the text
    # alone says Keras 2 code under Keras 3 (tf-keras-mismatch, as the corpus's threads do).
    first = re.search(r"^1\. (\S+) .*$", explain, flags=re.MULTILINE)
    assert first is not None and first.group(1) == "keras-version-mismatch", explain
    assert "TFD101" in first.group(0) and "tf-keras-mismatch" in explain
    assert "install keras==2.15.0" in fix and "✓ verified" in fix
    assert "output: (None, 8)" in again
    assert "✓ The example works now" in again
    removed = re.search(r"^Removed (\S+) ", out, flags=re.MULTILINE)
    assert removed is not None and not Path(removed.group(1)).exists()
