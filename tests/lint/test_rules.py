"""Every lint rule on real snippets, and the false positives a user would hate."""

from __future__ import annotations

from pathlib import Path

from lint_helpers import Lint, Write, codes

from tfdoctor.finding import Severity


def test_issue_examples_all_reported(write: Write, lint: Lint) -> None:
    path = write(
        "train.py",
        """
        import keras
        import tensorflow as tf
        from keras.utils import np_utils
        from tensorflow.keras.optimizers.legacy import Adam

        model = keras.Sequential([tf.keras.layers.Dense(3)])
        aug = keras.layers.experimental.preprocessing.RandomFlip()
        from keras.src.engine import base_layer
        model.save("exported_model")
    """,
    )
    result = lint(path, tensorflow="2.14", keras="3")
    # TF 2.14's tf.keras is Keras 2.14, which still has optimizers.legacy (line 4)
    assert codes(result.findings) == [
        ("TFD710", 3),
        ("TFD701", 4),
        ("TFD703", 6),
        ("TFD710", 7),
        ("TFD710", 8),
        ("TFD711", 9),
    ]
    assert ("TFD710", 4) in codes(lint(path, tensorflow="2.16", keras="3").findings)
    mixed = next(f for f in result.findings if f.code == "TFD703")
    # TF 2.15's tf.keras is Keras 2, keras is Keras 3: really two libraries
    assert mixed.severity is Severity.ERROR
    assert mixed.cause == "mixed-keras-objects"
    np_utils = result.findings[0]
    assert np_utils.cause == "removed-api"
    assert "keras.utils" in np_utils.title
    assert any(e.startswith("source: https://") for e in np_utils.evidence)


def test_mixed_objects_warning_when_target_makes_them_one_library(write: Write, lint: Lint) -> None:
    path = write(
        "m.py",
        """
        import keras
        import tensorflow as tf
        model = keras.Sequential()
        model.add(tf.keras.layers.Dense(1))
        model.compile(optimizer=tf.keras.optimizers.Adam())
    """,
    )
    result = lint(path, tensorflow="2.16", keras="3")
    mixed = [f for f in result.findings if f.code == "TFD703"]
    assert [f.location.line for f in mixed if f.location] == [4, 5]
    assert all(f.severity is Severity.WARNING for f in mixed)


def test_layers_collected_in_a_list_first(write: Write, lint: Lint) -> None:
    path = write(
        "l.py",
        """
        import keras
        import tensorflow as tf

        stack = [tf.keras.layers.Dense(8), tf.keras.layers.Dense(1)]
        model = keras.Sequential(stack)
        ok = keras.Sequential([keras.layers.Dense(1)])
    """,
    )
    result = lint(path, tensorflow="2.14", keras="3")
    assert codes(result.findings) == [("TFD701", 4), ("TFD703", 5)]


def test_functional_model_mixing_inputs(write: Write, lint: Lint) -> None:
    path = write(
        "f.py",
        """
        import tf_keras
        import keras

        inputs = tf_keras.Input((3,))
        outputs = keras.layers.Dense(1)(inputs)
        model = keras.Model(inputs, outputs)
    """,
    )
    found = codes(lint(path).findings)
    assert ("TFD703", 5) in found and ("TFD703", 6) in found


def test_aliases_are_followed(write: Write, lint: Lint) -> None:
    path = write(
        "a.py",
        """
        import keras as K
        from tensorflow import keras as tfk
        import tensorflow.compat.v2 as tf2

        K.backend.sum(x)
        tfk.layers.experimental.preprocessing.Rescaling(1.0)
        tf2.estimator.Estimator
    """,
    )
    found = codes(lint(path, tensorflow="2.16", keras="3").findings)
    # tf.compat.v2 is the TF 2 API: tf.estimator is gone from it in 2.16 too
    assert found == [("TFD701", 2), ("TFD710", 5), ("TFD710", 6), ("TFD710", 7)]


def test_removed_names_depend_on_target(write: Write, lint: Lint) -> None:
    path = write(
        "old.py",
        """
        from tensorflow.keras.layers.experimental import preprocessing
        import tensorflow as tf
        est = tf.estimator.Estimator
    """,
    )
    assert codes(lint(path, tensorflow="2.15", keras=None).findings) == []
    assert codes(lint(path, tensorflow="2.16", keras="3").findings) == [
        ("TFD710", 1),
        ("TFD710", 3),
    ]


def test_methods_keywords_and_model_formats(write: Write, lint: Lint) -> None:
    path = write(
        "fit.py",
        """
        import keras
        model = keras.Sequential([keras.layers.Embedding(10, 4, input_length=5)])
        model.compile(optimizer=keras.optimizers.SGD(lr=0.1), loss="mse")
        model.fit_generator(batches)
        classes = model.predict_classes(x)
        model.save("saved/model", save_format="tf")
        model.save("weights_dir/")
        model.save_weights("w.h5")
        model.save("ok.keras")
        model.save_weights("ok.weights.h5")
        restored = keras.models.load_model("export_dir")
        also_ok = keras.models.load_model("model.keras")
        keras.models.save_model(model, "serving/1")
    """,
    )
    assert codes(lint(path).findings) == [
        ("TFD713", 2),
        ("TFD713", 3),
        ("TFD712", 4),
        ("TFD712", 5),
        ("TFD711", 6),
        ("TFD711", 7),
        ("TFD711", 8),
        ("TFD711", 11),
        ("TFD711", 13),
    ]
    # Keras 2 (TF 2.15): fit_generator and SavedModel folders still work; lr= and
    # predict_classes do not (removed in 2.11 / 2.6)
    assert codes(lint(path, keras="2").findings) == [("TFD713", 3), ("TFD712", 5)]


def test_legacy_optimizers_keep_their_old_arguments(write: Write, lint: Lint) -> None:
    """keras.optimizers.legacy.SGD(lr=0.5, decay=0.1) sets both in Keras 2.11-2.15 (checked:
    tf.keras and keras of TensorFlow 2.15.1): no keyword finding; under Keras 3 the legacy
    namespace itself is reported, once."""
    path = write(
        "legacy.py",
        """
        import tensorflow as tf
        import keras
        a = tf.keras.optimizers.legacy.SGD(lr=0.5, decay=0.1)
        b = keras.optimizers.legacy.Adam(lr=0.5)
        c = tf.keras.optimizers.SGD(lr=0.5)
    """,
    )
    found = lint(path, keras="2").findings
    assert [(f.code, f.location.line) for f in found if f.code == "TFD713" and f.location] == [
        ("TFD713", 5)
    ]
    keras3 = [f.code for f in lint(path, keras="3").findings if f.location and f.location.line < 5]
    assert "TFD713" not in keras3 and keras3.count("TFD710") == 2


def test_what_tf_keras_and_keras_2_11_plus_refuse(write: Write, lint: Lint) -> None:
    """Checked in real environments (tensorflow-cpu 2.15.1 with keras 2.15.0; 2.21.0 with keras
    3.15.1): tf.keras of TensorFlow 2 has no CuDNNLSTM/CuDNNGRU, tf.keras under Keras 3 has no
    set_learning_phase, and Keras 2.11-2.15 optimizers raise on decay= (Keras 3 ignores it)."""
    path = write(
        "old.py",
        """
        import tensorflow as tf
        from tensorflow.keras.layers import CuDNNLSTM
        from tensorflow.keras import backend as K
        K.set_learning_phase(1)
        opt = tf.keras.optimizers.SGD(decay=0.1)
        gru = tf.keras.layers.CuDNNGRU(3)
    """,
    )
    assert codes(lint(path, keras="2").findings) == [
        ("TFD710", 2),
        ("TFD713", 5),
        ("TFD710", 6),
    ]
    keras3 = lint(path, keras="3").findings
    assert codes(keras3) == [("TFD710", 2), ("TFD710", 4), ("TFD713", 5), ("TFD710", 6)]
    decay = next(f for f in keras3 if f.code == "TFD713")
    assert "silently ignored" in decay.title and decay.severity.value == "warning"


def test_names_from_star_imports(write: Write, lint: Lint) -> None:
    """`from keras.layers import *` then `Merge()`: the Keras 1/2 tutorials' style. A name the
    file binds itself (an assignment, a parameter, a class) is not the star import's."""
    path = write(
        "star.py",
        """
        from keras.layers import *
        from tensorflow.keras.layers import *
        a = Merge()
        b = experimental.preprocessing.Rescaling(1.0)
        c = Dense(3)
        def f(CuDNNGRU):
            return CuDNNGRU()
        class CuDNNLSTM:
            pass
        d = CuDNNLSTM()
    """,
    )
    found = lint(path).findings
    assert [
        (f.code, f.location.line if f.location else 0) for f in found if f.code == "TFD710"
    ] == [
        ("TFD710", 3),
        ("TFD710", 4),
    ]
    merge = found[[f.code for f in found].index("TFD710")]
    assert merge.title.startswith("`Merge`: tf.keras.layers.Merge does not exist")  # last import
    renamed = next(f for f in found if f.location and f.location.line == 4)
    assert renamed.fix_note == "replace by hand with tf.keras.layers"  # --fix leaves it


def test_modules_and_classes_assigned_to_a_name(write: Write, lint: Lint) -> None:
    """`keras = tf.keras` (TensorFlow's own tutorials), `K = keras.backend`: the name is that
    module from there on; an assignment of something else ends it."""
    path = write(
        "alias.py",
        """
        import tensorflow as tf
        keras = tf.keras
        K = keras.backend
        Adam = keras.optimizers.Adam
        keras.layers.CuDNNLSTM(3)
        K.set_learning_phase(0)
        opt = Adam(lr=0.1)
        def f(keras):
            return keras.layers.CuDNNLSTM(3)
        K = None
        K.set_learning_phase(0)
        tf = tf.compat.v1
        sess = tf.Session()
    """,
    )
    assert codes(lint(path).findings) == [("TFD710", 5), ("TFD710", 6), ("TFD713", 7)]


def test_tf1_names_under_tf2(write: Write, lint: Lint) -> None:
    path = write(
        "tf1.py",
        """
        import tensorflow as tf
        import tensorflow.compat.v1 as v1
        sess = tf.Session()
        x = tf.placeholder(tf.float32)
        ok = v1.Session()
        tf.contrib.layers.flatten(x)
    """,
    )
    assert codes(lint(path, tensorflow="2.15").findings) == [
        ("TFD710", 3),
        ("TFD710", 4),
        ("TFD710", 6),
    ]


def test_variable_named_keras_is_not_keras(write: Write, lint: Lint) -> None:
    path = write(
        "v.py",
        """
        import tensorflow as tf

        def build(keras):
            return keras.layers.experimental.Thing()

        keras = load_config()
        keras.utils.np_utils.to_categorical(y)
        model.fit_generator(data)
    """,
    )
    assert codes(lint(path).findings) == []


def test_keras_only_in_strings_and_comments(write: Write, lint: Lint) -> None:
    a = write(
        "a.py",
        '''
        """Example:

            from keras.utils import np_utils
            import tensorflow as tf; tf.Session()
        """
        # from tensorflow.keras.layers.experimental import preprocessing
        import keras
        MESSAGE = "use tf.keras.layers.experimental and model.fit_generator"
        keras.layers.Dense(1)
    ''',
    )
    b = write(
        "b.py",
        """
        import keras
        print("from tensorflow import keras")
    """,
    )
    result = lint(a, b)
    assert codes(result.findings) == []


def test_try_except_import_fallback(write: Write, lint: Lint) -> None:
    compat = write(
        "compat.py",
        """
        try:
            import tf_keras as keras
        except ImportError:
            from tensorflow import keras

        model = keras.Sequential([keras.layers.Dense(1)])
    """,
    )
    old_paths = write(
        "old_paths.py",
        """
        import keras
        try:
            from keras.utils import np_utils
        except ImportError:
            np_utils = None

        if hasattr(keras, "src"):
            from keras.src.engine import base_layer
        else:
            from keras.engine import base_layer

        layer = keras.layers.Dense(1)
    """,
    )
    assert codes(lint(compat).findings) == []
    assert codes(lint(old_paths).findings) == []


def test_mixed_file_and_project(write: Write, lint: Lint, tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        write(f"pkg/{name}.py", "import keras\nkeras.layers.Dense(1)\n")
    write("pkg/odd.py", "# odd one\n\nfrom tensorflow import keras\nkeras.layers.Dense(1)\n")
    write("pkg/both.py", "import keras\nimport tensorflow as tf\nx = tf.keras.layers.Dense(1)\n")
    result = lint(tmp_path / "pkg")
    found = [
        (Path(f.location.path).name, f.code, f.location.line, f.location.column)
        for f in result.findings
        if f.location
    ]
    assert found == [("both.py", "TFD701", 3, 5), ("odd.py", "TFD702", 3, 1)]
    odd = result.findings[1]
    assert "keras in 4 files" in odd.title and "tf.keras in 2 files" in odd.title


def test_a_tie_is_not_called_mostly(write: Write, lint: Lint, tmp_path: Path) -> None:
    write("pkg/a.py", "import keras\nkeras.layers.Dense(1)\n")
    write("pkg/b.py", "from tensorflow import keras\nkeras.layers.Dense(1)\n")
    (odd,) = lint(tmp_path / "pkg").findings
    assert odd.code == "TFD702"
    assert odd.title == (
        "this file uses tf.keras; the project uses keras as often (keras in 1 file, tf.keras in 1 file)"
    )


def test_noqa(write: Write, lint: Lint) -> None:
    path = write(
        "n.py",
        """
        from keras.utils import np_utils  # noqa: TFD710
        from keras.utils import generic_utils  # noqa: TFD701
        from keras.engine import topology  # noqa
        from keras.layers import merge  # NOQA:TFD999, tfd710
    """,
    )
    assert codes(lint(path).findings) == [("TFD710", 2)]


def test_select_and_ignore(write: Write, lint: Lint) -> None:
    path = write(
        "s.py",
        """
        import keras
        import tensorflow as tf
        from keras.utils import np_utils
        m = keras.Sequential([tf.keras.layers.Dense(1)])
    """,
    )
    assert {c for c, _ in codes(lint(path, select=["TFD70"]).findings)} == {"TFD701", "TFD703"}
    assert {c for c, _ in codes(lint(path, ignore=["TFD70"]).findings)} == {"TFD710"}


def test_syntax_error_does_not_stop_other_files(write: Write, lint: Lint, tmp_path: Path) -> None:
    write("broken.py", "from keras.utils import np_utils\ndef f(:\n")
    write("fine.py", "from keras.utils import np_utils\n")
    write("latin.py", "# -*- coding: latin-1 -*-\n")
    (tmp_path / "latin.py").write_bytes(
        b"# -*- coding: latin-1 -*-\nimport tensorflow as tf\ns = '\xe9'; tf.Session()\n"
    )
    result = lint()
    assert [(Path(p).name, m.split(":")[0]) for p, m in result.errors] == [
        ("broken.py", "cannot parse (line 2")
    ]
    assert [(Path(f.location.path).name, f.code) for f in result.findings if f.location] == [
        ("fine.py", "TFD710"),
        ("latin.py", "TFD710"),
    ]
    latin = result.findings[1]
    # characters of the decoded line (s = 'é'; tf...: `tf` is the 10th), not bytes
    assert latin.location is not None and latin.location.column == 10


def test_keras3_advice_of_a_name_standalone_keras_2_also_lacked(write: Write, lint: Lint) -> None:
    # keras.layers.experimental.preprocessing is missing from standalone keras 2.6-2.12 (derived
    # entry) and gone in Keras 3 (curated entry): under Keras 3 the curated advice is given
    path = write(
        "m.py",
        """
        from keras.layers.experimental.preprocessing import Rescaling
        from keras.metrics import kld
        """,
    )
    found = lint(path, tensorflow="2.16", keras="3").findings
    assert codes(found) == [("TFD710", 1), ("TFD710", 2)]
    assert found[0].title.endswith("use keras.layers"), found[0].title
    assert "kl_divergence" in found[1].title, found[1].title
    older = lint(path, tensorflow="2.12", keras="2.12").findings
    assert codes(older) == [("TFD710", 1), ("TFD710", 2)]
    assert "tf.keras.layers.experimental.preprocessing" in older[0].title, older[0].title


def test_keras2_layer_keywords_that_keras3_refuses(write: Write, lint: Lint) -> None:
    # derived by scripts/keras_keywords.py: Keras 3 layers refuse the Keras 2 base-layer
    # keywords weights= and batch_input_shape=, except the classes that still take them
    path = write(
        "layers.py",
        """
        import keras
        from keras.layers import Dense, Embedding, LSTM
        embed = Embedding(10, 4, weights=[matrix])
        dense = Dense(2, weights=[kernel, bias], batch_input_shape=(None, 3))
        rnn = LSTM(4, time_major=False)
        plain = Dense(2, name="ok")
    """,
    )
    assert codes(lint(path, tensorflow="2.16", keras="3").findings) == [
        ("TFD713", 4),
        ("TFD713", 4),
        ("TFD713", 5),
    ]
    assert not lint(path, keras="2").findings


def test_methods_of_other_libraries_are_not_keras_model_methods(write: Write, lint: Lint) -> None:
    """scikit-learn's (and xgboost's) estimators have predict_proba: in a file that also imports
    keras, `clf.predict_proba(X)` was TFD712 'not a method of Keras 3 models', an error that
    fails CI; so was the file's own class with a fit_generator method. A model made by a
    function of the project, or by a class of the file built on Keras, is still checked."""
    path = write(
        "evaluate.py",
        """
        import keras
        import xgboost as xgb
        from sklearn.linear_model import LogisticRegression
        from models import build_model

        clf = LogisticRegression().fit(features, labels)
        p = clf.predict_proba(features)
        booster: object = xgb.XGBClassifier()
        q = booster.predict_proba(features)
        r = LogisticRegression().predict_proba(features)


        class Batches:
            def fit_generator(self):
                return self


        Batches().fit_generator()


        class Net(keras.Model):
            pass


        class Deeper(Net):
            pass


        Deeper().predict_classes(features)
        model = build_model()
        model.fit_generator(batches, epochs=1)
        clf = keras.Sequential([keras.layers.Dense(1)])
        clf.predict_proba(features)
        """,
    )
    assert codes(lint(path, keras="3").findings) == [
        ("TFD712", 29),
        ("TFD712", 31),
        ("TFD712", 33),
    ]
