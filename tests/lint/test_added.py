"""TFD714: a public TensorFlow name that the target TensorFlow does not have yet, because a later
release added it (kb/data/tf_added.json): tf.distribute.TPUStrategy under TensorFlow 2.2."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from lint_helpers import Lint, Write, codes, run_cli, run_json
from packaging.version import Version

from tfdoctor.explain import knowledge as explain_knowledge
from tfdoctor.lint import resolve_target
from tfdoctor.lint.knowledge import knowledge_for
from tfdoctor.lint.prefilter import scan
from tfdoctor.lint.rules import ADDED_NAME
from tfdoctor.lint.tf_added import load_added_names, tf_added_in

STRATEGY = """
    import tensorflow as tf

    strategy = tf.distribute.TPUStrategy(resolver)
"""


def _added(write: Write, lint: Lint, source: str, tensorflow: str) -> list[tuple[str, int]]:
    path = write("train.py", source)
    return codes(lint(path, keras=None, tensorflow=tensorflow).findings)


def test_a_name_newer_than_the_target_is_reported(write: Write, lint: Lint) -> None:
    path = write("train.py", STRATEGY)
    (finding,) = lint(path, keras=None, tensorflow="2.2").findings
    assert finding.code == "TFD714" and finding.cause == "removed-api"
    assert finding.title == (
        "`tf.distribute.TPUStrategy`: tf.distribute.TPUStrategy needs TensorFlow >= 2.3 "
        "(the target is 2.2)"
    )
    assert finding.location is not None
    assert (finding.location.line, finding.location.column) == (3, 12)
    assert "first in: tensorflow 2.3.4" in finding.evidence[0]
    assert "kb/data/tf_added.json" in finding.evidence[1]
    assert dict(finding.data) == {
        "name": "tf.distribute.TPUStrategy",
        "requires": "tensorflow>=2.3",
    }
    assert "upgrade TensorFlow to >= 2.3" in finding.fix_note


@pytest.mark.parametrize("tensorflow", ["2.3", "2.3.0", "2.4", "2.15"])
def test_not_reported_from_the_release_that_added_it(
    write: Write, lint: Lint, tensorflow: str
) -> None:
    assert _added(write, lint, STRATEGY, tensorflow) == []


def test_the_form_from_tensorflow_distribute_import(write: Write, lint: Lint) -> None:
    source = """
        from tensorflow.distribute import TPUStrategy

        strategy = TPUStrategy(resolver)
    """
    path = write("train.py", source)
    (finding,) = lint(path, keras=None, tensorflow="2.2.3").findings
    assert finding.title == (
        "`from tensorflow.distribute import TPUStrategy`: tf.distribute.TPUStrategy needs "
        "TensorFlow >= 2.3 (the target is 2.2.3)"
    )
    assert codes([finding]) == [("TFD714", 1)]  # the import, not each use of the name
    assert _added(write, lint, source, "2.3") == []


def test_names_the_table_does_not_know_are_left_alone(write: Write, lint: Lint) -> None:
    source = """
        import tensorflow as tf

        tf.nn.relu(x)  # TensorFlow 1.13 had it already
        tf.distribute.experimental.TPUStrategy(resolver)  # 1.14
        tf.no_such_name(x)
        tf.compat.v1.layers.dense(x, 3)
        tf.distribute.TPUStrategyX(resolver)
    """
    assert _added(write, lint, source, "2.0") == []


def test_guarded_uses_are_deliberate(write: Write, lint: Lint) -> None:
    source = """
        import tensorflow as tf

        try:
            from tensorflow.distribute import TPUStrategy
        except ImportError:
            from tensorflow.distribute.experimental import TPUStrategy
        try:
            strategy = tf.distribute.TPUStrategy(resolver)
        except AttributeError:
            strategy = tf.distribute.experimental.TPUStrategy(resolver)
        if tf.__version__ >= "2.3":
            strategy = tf.distribute.TPUStrategy(resolver)
        if hasattr(tf.distribute, "TPUStrategy"):
            strategy = tf.distribute.TPUStrategy(resolver)
        strategy = tf.distribute.TPUStrategy(resolver)
    """
    assert _added(write, lint, source, "2.2") == [("TFD714", 15)]


def test_aliases_tf_keras_and_compat_v2(write: Write, lint: Lint) -> None:
    source = """
        import tensorflow as tf
        import tensorflow.compat.v2 as tf2
        from tensorflow import keras
        from tensorflow.keras import activations as A

        dist = tf.distribute
        dist.TPUStrategy(resolver)
        tf2.distribute.TPUStrategy(resolver)
        keras.activations.swish(x)
        A.swish(x)
        tf.keras.layers.RandomFlip()
    """
    assert _added(write, lint, source, "2.1") == [
        ("TFD714", 7),
        ("TFD714", 8),
        ("TFD714", 9),
        ("TFD714", 10),
        ("TFD714", 11),
    ]
    # tf.keras.activations.swish came in 2.2, tf.keras.layers.RandomFlip in 2.6
    assert _added(write, lint, source, "2.2") == [("TFD714", 7), ("TFD714", 8), ("TFD714", 11)]
    assert _added(write, lint, source, "2.6") == []


def test_star_imports(write: Write, lint: Lint) -> None:
    source = """
        from tensorflow.distribute import *
        from tensorflow.distribute.coordinator import *

        strategy = TPUStrategy(resolver)
        coordinator = ClusterCoordinator(strategy)
    """
    # the name a star import brings; a module that is itself too new is reported once, at its
    # import (tf.distribute.coordinator came in 2.8)
    assert _added(write, lint, source, "2.2") == [("TFD714", 2), ("TFD714", 4)]


def test_the_newest_name_of_a_chain_is_the_one_named(write: Write, lint: Lint) -> None:
    path = write("a.py", "import tensorflow as tf\ntf.experimental.dtensor.Layout.replicated(m)\n")
    (finding,) = lint(path, keras=None, tensorflow="2.0").findings
    assert finding.title.startswith(
        "`tf.experimental.dtensor.Layout.replicated`: tf.experimental.dtensor.Layout needs "
        "TensorFlow >= 2.9"
    )


def test_a_name_tensorflow_2_dropped_counts_from_its_return(write: Write, lint: Lint) -> None:
    # tf.repeat: in 1.15, not in 2.0, again from 2.1
    source = "import tensorflow as tf\ntf.repeat(x, 2)\n"
    path = write("a.py", source)
    (finding,) = lint(path, keras=None, tensorflow="2.0").findings
    assert "tf.repeat needs TensorFlow >= 2.1" in finding.title
    assert _added(write, lint, source, "2.1") == []
    names = load_added_names()
    assert names.needed_by(
        "tensorflow.repeat", resolve_target(None, None, "2.0").tensorflow_version
    )
    # a TensorFlow 1.x target has it from 1.15 (the table's `added`), and tf.data.Iterator always
    assert names.needed_by("tensorflow.repeat", Version("1.14.0")) == "1.15.5"
    assert names.needed_by("tensorflow.repeat", Version("1.15.5")) == ""
    assert names.needed_by("tensorflow.data.Iterator", Version("1.13.2")) == ""
    # what the rule assumes of the data: every returned name is one TensorFlow 1.x had and 2.x
    # gave back
    for name, release in names.returned.items():
        assert release.startswith("2.") and names.added.get(name, "1.").startswith("1."), name


@pytest.mark.parametrize(
    ("keras", "tensorflow"),
    [("2.2", None), ("3", None), (None, "2")],
    ids=["inferred-from-keras", "newest-assumed-for-keras3", "bare-2"],
)
def test_silent_when_the_target_tensorflow_is_not_known(
    write: Write, lint: Lint, keras: str | None, tensorflow: str | None
) -> None:
    path = write("train.py", STRATEGY)
    target = resolve_target(None, keras, tensorflow)
    assert not target.tensorflow_known
    assert knowledge_for(target).added == {}
    assert codes(lint(path, keras=keras, tensorflow=tensorflow).findings) == []


def test_the_prefilter_sends_such_files_to_the_ast() -> None:
    kb = knowledge_for(resolve_target(None, None, "2.2"))
    for source in (
        "import tensorflow as tf\ntf.distribute.TPUStrategy(r)\n",
        "from tensorflow.distribute import TPUStrategy\n",
        "from tensorflow import keras\nkeras.layers.RandomFlip()\n",
        "import tensorflow as tf\nd = tf.distribute\nd.TPUStrategy(r)\n",
    ):
        assert scan(source.encode(), kb)[0], source
    assert not scan(b"import tensorflow as tf\ntf.nn.relu(x)\n", kb)[0]


def test_cli_json_and_sarif(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        "import tensorflow as tf\nstrategy = tf.distribute.TPUStrategy(resolver)\n",
        encoding="utf-8",
    )
    data = run_json("lint", "--tensorflow", "2.2", "train.py", cwd=tmp_path)
    (finding,) = data["findings"]
    assert (finding["code"], finding["cause"], finding["severity"]) == (
        "TFD714",
        "removed-api",
        "error",
    )
    assert finding["location"]["line"] == 2
    assert run_json("lint", "--tensorflow", "2.3", "train.py", cwd=tmp_path)["findings"] == []
    text = run_cli("lint", "--tensorflow", "2.2", "train.py", cwd=tmp_path)
    assert text.returncode == 1
    assert "train.py:2:12: error: TFD714 `tf.distribute.TPUStrategy`: " in text.stdout
    sarif = run_cli("lint", "--tensorflow", "2.2", "--format", "sarif", ".", cwd=tmp_path)
    log = json.loads(sarif.stdout)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["TFD714"]
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert ADDED_NAME.code in [r["id"] for r in rules]
    assert (
        run_cli("lint", "--tensorflow", "2.2", "--ignore", "TFD714", ".", cwd=tmp_path).returncode
        == 0
    )


def test_one_reader_for_lint_and_explain() -> None:
    assert tf_added_in("tensorflow.distribute.TPUStrategy") == "2.3.4"
    assert explain_knowledge.tf_added_in("tensorflow.distribute.TPUStrategy") == "2.3.4"
    assert explain_knowledge.tf_added_in("tensorflow.compat.v2.distribute.TPUStrategy") == "2.3.4"
    assert explain_knowledge.tf_added_in("tensorflow.repeat") == "2.1.4"  # from its return
    assert explain_knowledge.tf_added_in("tensorflow.nn.relu") == ""
    # TensorFlow 1.15 (the newest 1.x probed) lacked TPUStrategy, had tf.function
    assert explain_knowledge.tf_added_after_line("tensorflow.distribute.TPUStrategy", 1)
    assert not explain_knowledge.tf_added_after_line("tensorflow.function", 1)
    assert not explain_knowledge.tf_added_after_line("tensorflow.nn.relu", 1)


# -- --fix: the older spelling of the same API, where the data records one ---------------------
SCHEDULES = """
    import tensorflow as tf
    from tensorflow import keras
    from tensorflow.keras.optimizers.schedules import CosineDecayRestarts  # warm restarts
    from tensorflow.keras.optimizers.schedules import CosineDecay as Cos, ExponentialDecay

    schedule = tf.keras.optimizers.schedules.CosineDecay(0.1, 1000)  # the schedule
    other = keras.optimizers.schedules.CosineDecay(
        0.1, 1000
    )
    try:
        fallback = tf.keras.optimizers.schedules.CosineDecay(0.1, 10)
    except AttributeError:
        pass
"""


def test_fix_writes_the_older_spelling_the_target_has(write: Write, lint: Lint) -> None:
    # api_changes.json renames tf.keras.experimental.CosineDecay(Restarts) to
    # tf.keras.optimizers.schedules.* (the same classes; the new names came in TensorFlow 2.5)
    # and tf_added.json has the experimental names from 1.14: under 2.4 --fix writes them
    path = write("train.py", SCHEDULES)
    findings = lint(path, keras=None, tensorflow="2.4").findings
    assert codes(findings) == [("TFD714", 3), ("TFD714", 4), ("TFD714", 6), ("TFD714", 7)]
    assert findings[0].fix_note == (
        "tfdoctor lint --fix rewrites it to tf.keras.experimental.CosineDecayRestarts, the same "
        "API in TensorFlow 2.4; or upgrade TensorFlow to >= 2.5"
    )
    assert dict(findings[2].data)["replacement"] == "tf.keras.experimental.CosineDecay"
    # two names in one import: it cannot be rewritten alone, the note says what to write
    assert findings[1].fix_note.startswith("write it as tf.keras.experimental.CosineDecay, ")
    result = lint(path, keras=None, tensorflow="2.4", fix=True)
    assert result.fixed == {str(path): 3}
    new = path.read_text()
    assert new == (
        "import tensorflow as tf\n"
        "from tensorflow import keras\n"
        "from tensorflow.keras.experimental import CosineDecayRestarts  # warm restarts\n"
        "from tensorflow.keras.optimizers.schedules import CosineDecay as Cos, ExponentialDecay\n"
        "\n"
        "schedule = tf.keras.experimental.CosineDecay(0.1, 1000)  # the schedule\n"
        "other = keras.experimental.CosineDecay(\n"
        "    0.1, 1000\n"
        ")\n"
        "try:\n"
        "    fallback = tf.keras.optimizers.schedules.CosineDecay(0.1, 10)\n"
        "except AttributeError:\n"
        "    pass\n"
    )
    # what was rewritten is fine under 2.4 (no TFD710 either); the two-name import is left
    assert codes(lint(path, keras=None, tensorflow="2.4").findings) == [("TFD714", 4)]


def test_no_fix_where_the_data_records_no_older_spelling(write: Write, lint: Lint) -> None:
    # tf.distribute.experimental.TPUStrategy is in the table (from 1.14), but nothing records it
    # as the same API as tf.distribute.TPUStrategy: no rewrite is guessed from the names
    path = write("train.py", STRATEGY)
    (finding,) = lint(path, keras=None, tensorflow="2.2").findings
    assert finding.fix_note.startswith("upgrade TensorFlow to >= 2.3, ")
    assert "replacement" not in dict(finding.data)
    result = lint(path, keras=None, tensorflow="2.2", fix=True)
    assert result.fixed == {} and path.read_text() == textwrap.dedent(STRATEGY).lstrip("\n")
    assert knowledge_for(resolve_target(None, None, "2.2")).older == {
        "tensorflow.keras.optimizers.schedules.CosineDecay": (
            "tensorflow.keras.experimental.CosineDecay"
        ),
        "tensorflow.keras.optimizers.schedules.CosineDecayRestarts": (
            "tensorflow.keras.experimental.CosineDecayRestarts"
        ),
    }
    assert knowledge_for(resolve_target(None, None, "2.5")).older == {}


def test_an_older_spelling_counts_only_where_the_table_shows_it() -> None:
    names = load_added_names()
    # tf.keras.experimental.CosineDecay: from 1.14 (`added`)
    assert names.present_in("tensorflow.keras.experimental.CosineDecay", Version("2.4"))
    assert not names.present_in("tensorflow.keras.experimental.CosineDecay", Version("1.13.2"))
    # tf.floormod (renamed tf.math.floormod by tf_upgrade_v2): in 1.13, gone in 2.0 (`removed`)
    assert names.present_in("tensorflow.floormod", Version("1.13.2"))
    assert not names.present_in("tensorflow.floormod", Version("2.0"))
    # a name the table does not know may never have existed: never an older spelling
    assert not names.present_in("tensorflow.keras.experimental.NoSuchSchedule", Version("2.4"))
