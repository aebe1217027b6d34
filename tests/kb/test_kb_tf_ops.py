"""The ops TensorFlow itself registers: read from its generated wrappers, and what explain does
with an op a graph needs that the loading TensorFlow lacks."""

from __future__ import annotations

from pathlib import Path

from tfdoctor.explain import explain_text
from tfdoctor.explain.signatures import load_detectors
from tfdoctor.kb.tf_ops import collect, raw_ops_in

WRAPPER = """
def disable_copy_on_read(resource, name=None):
  _ctx = _context._context or _context.context()
DisableCopyOnRead = tf_export("raw_ops.DisableCopyOnRead")(_ops.to_raw_op(disable_copy_on_read))
def _helper(x):
  return x
"""


def test_the_raw_ops_a_wrapper_exports_are_read() -> None:
    assert raw_ops_in(WRAPPER) == {"DisableCopyOnRead"}
    assert raw_ops_in("tf_export('math.add')(add)") == set()


def test_the_source_names_the_distribution_that_installed_tensorflow(tmp_path: Path) -> None:
    """tensorflow-macos beside tensorflow_estimator and tensorflow_io_gcs_filesystem (which
    sort before it): the ops are tensorflow-macos's."""
    (tmp_path / "tensorflow" / "python" / "ops").mkdir(parents=True)
    (tmp_path / "tensorflow" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "tensorflow" / "python" / "ops" / "gen_x.py").write_text(WRAPPER, encoding="utf-8")
    for name, version, owns in (
        ("tensorflow_estimator", "2.15.0", "tensorflow_estimator/__init__.py"),
        ("tensorflow_io_gcs_filesystem", "0.37.1", "tensorflow_io_gcs_filesystem/__init__.py"),
        ("tensorflow_macos", "2.15.1", "tensorflow/__init__.py"),
    ):
        dist = tmp_path / f"{name}-{version}.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text(f"Name: {name}\nVersion: {version}\n", encoding="utf-8")
        (dist / "RECORD").write_text(f"{owns},sha256=x,0\n", encoding="utf-8")
    data = collect(tmp_path)
    assert data["names"] == ["DisableCopyOnRead"]
    assert data["source"].startswith("tensorflow_macos 2.15.1 ")


def test_the_data_holds_tensorflows_own_ops_and_no_packages_ops() -> None:
    ops = load_detectors().tf_core_ops
    assert {"DisableCopyOnRead", "Conv2D", "MatMul"} <= ops
    # tensorflow-decision-forests and tensorflow-text register these, TensorFlow does not
    assert not {"SimpleMLLoadModelFromPathWithHandle", "WordpieceTokenizeWithOffsets"} & ops


def _unregistered(op: str) -> str:
    text = (
        f"tensorflow.python.framework.errors_impl.NotFoundError: Op type not registered '{op}' "
        "in binary running on host. Make sure the Op and Kernel are registered in the binary "
        "running in this process.\n"
    )
    return explain_text(text).findings[0].cause


def test_an_op_of_tensorflow_itself_means_a_newer_tensorflow_wrote_the_graph() -> None:
    assert _unregistered("DisableCopyOnRead") == "model-format"


def test_an_op_tensorflow_does_not_register_is_a_packages() -> None:
    assert _unregistered("SimpleMLLoadModelFromPathWithHandle") == "dependent-package-incompatible"
