# Runs INSIDE the target interpreter for `tfdoctor check --deep`: imports TensorFlow and Keras and
# runs the reference smoke test. Standard library only besides what it tests; Python 3.7+.
# Every step prints one event line "@@TFDOCTOR-EVENT@@ {json}" as soon as it ends, so that the
# caller can show progress and still knows how far it got if this process dies.
import json
import os
import shutil
import sys
import tempfile
import time
import traceback

PREFIX = "@@TFDOCTOR-EVENT@@ "
STATE = {}


def emit(event):
    sys.stdout.write(PREFIX + json.dumps(event) + "\n")
    sys.stdout.flush()


def step(name, function):
    emit({"event": "start", "step": name})
    start = time.perf_counter()
    try:
        detail = function() or {}
    except BaseException as exc:  # report every failure, SystemExit from a broken import too
        emit(
            {
                "event": "end",
                "step": name,
                "status": "fail",
                "seconds": round(time.perf_counter() - start, 3),
                "error": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[
                    -20000:
                ],
                "error_type": type(exc).__name__,
            }
        )
        return False
    emit(
        {
            "event": "end",
            "step": name,
            "status": "ok",
            "seconds": round(time.perf_counter() - start, 3),
            "detail": detail,
        }
    )
    return True


def root_version(module_name):
    module = sys.modules.get(module_name.split(".")[0])
    return getattr(module, "__version__", None)


def implementation(obj):
    """Which Keras implementation an object comes from: (package, version)."""
    root = (
        type(obj).__module__.split(".")[0]
        if not isinstance(obj, type)
        else obj.__module__.split(".")[0]
    )
    return root, root_version(root)


def import_tensorflow():
    import tensorflow as tf

    STATE["tf"] = tf
    info = {}
    try:
        info = {
            k: v
            for k, v in tf.sysconfig.get_build_info().items()
            if k in ("cuda_version", "cudnn_version", "is_cuda_build", "is_rocm_build")
        }
    except Exception as exc:
        info = {"error": str(exc)[:200]}
    try:
        devices = [d.device_type + ":" + d.name for d in tf.config.list_physical_devices()]
    except Exception as exc:
        devices = ["error: " + str(exc)[:200]]
    return {"version": tf.__version__, "file": tf.__file__, "build_info": info, "devices": devices}


def resolve_tf_keras():
    tf = STATE["tf"]
    k = tf.keras
    dense = k.layers.Dense
    STATE["tf_keras"] = k
    root = dense.__module__.split(".")[0]
    version = getattr(k, "__version__", None) or root_version(root)
    kind = (
        "tf_keras"
        if root == "tf_keras"
        else ("keras 3" if (version or "").startswith("3") else "keras 2")
    )
    return {"module": k.__name__, "implementation": root, "version": version, "kind": kind}


def import_keras():
    import keras

    STATE["keras"] = keras
    backend = None
    try:
        backend = keras.backend.backend()
    except Exception:
        pass
    return {"version": keras.__version__, "file": keras.__file__, "backend": backend}


def import_tf_keras():
    import tf_keras

    STATE["tf_keras_pkg"] = tf_keras
    return {"version": getattr(tf_keras, "__version__", None), "file": tf_keras.__file__}


def smoke(k):
    import numpy as np

    rng = np.random.default_rng(0)
    model = k.Sequential(
        [
            k.Input(shape=(784,)),
            k.layers.Dense(128, activation="relu"),
            k.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    x = rng.random((64, 784), dtype="float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, 64)]
    history = model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    prediction = model.predict(x[:4], verbose=0)
    if tuple(prediction.shape) != (4, 10):
        raise AssertionError("predict returned shape %s, expected (4, 10)" % (prediction.shape,))
    version = getattr(k, "__version__", None) or root_version(type(model).__module__) or "0"
    major_minor = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    suffix = ".keras" if major_minor >= (2, 13) else ".h5"
    folder = tempfile.mkdtemp(prefix="tfdoctor-smoke-")
    try:
        path = os.path.join(folder, "model" + suffix)
        model.save(path)
        loaded = k.models.load_model(path)
        again = loaded.predict(x[:4], verbose=0)
        if not np.allclose(prediction, again, atol=1e-5):
            raise AssertionError("the loaded model predicts differently from the saved one")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "format": suffix,
        "loss": float(history.history["loss"][-1]),
        "implementation": implementation(model)[0],
    }


def consistent_objects():
    """tf.keras's own objects must all come from one Keras: the environment must not mix them."""
    k = STATE["tf_keras"]
    parts = {
        "Sequential": implementation(k.Sequential),
        "layers.Dense": implementation(k.layers.Dense),
        "optimizers.Adam": implementation(k.optimizers.Adam),
        "losses.CategoricalCrossentropy": implementation(k.losses.CategoricalCrossentropy),
    }
    found = sorted({"%s %s" % item for item in parts.values()})
    if len(found) > 1:
        raise AssertionError(
            "tf.keras mixes Keras implementations: "
            + "; ".join(
                "%s from %s %s" % (name, impl[0], impl[1]) for name, impl in sorted(parts.items())
            )
        )
    return {"implementation": found[0]}


def installed(name):
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except Exception:
        return False


def import_module(name):
    import importlib

    module = importlib.import_module(name)
    version = getattr(module, "__version__", None)
    return {
        "version": None if version is None else str(version),
        "file": getattr(module, "__file__", None),
    }


def stack_steps():
    """The steps of `check --deep`; False when TensorFlow does not import."""
    if not step("import tensorflow", import_tensorflow):
        return False
    keras_ok = step("resolve tf.keras", resolve_tf_keras)
    if installed("keras"):
        step("import keras", import_keras)
    if installed("tf_keras"):
        step("import tf_keras", import_tf_keras)
    if keras_ok:
        step("tf.keras objects come from one Keras", consistent_objects)
        step("smoke test through tf.keras", lambda: smoke(STATE["tf_keras"]))
    keras = STATE.get("keras")
    tf_keras = STATE.get("tf_keras")
    if keras is not None and (tf_keras is None or keras.layers.Dense is not tf_keras.layers.Dense):
        step("smoke test through keras", lambda: smoke(keras))
    return True


def main():
    # This probe starts isolated (-I): its own modules never come from the working directory or
    # PYTHONPATH. The stack is then imported as `python -c` would import it in the user's shell,
    # working directory and PYTHONPATH first (what shadows the environment's packages there).
    entries = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if not (os.environ.get("PYTHONSAFEPATH") and sys.version_info >= (3, 11)):
        entries.insert(0, "")
    sys.path[:0] = [p for p in entries if p not in sys.path]
    stack_steps()
    # Other packages a repair moved (fix/verify_imports.py), named on the command line after `-`:
    # each must still import beside TensorFlow, in the same process as the user's code would.
    for name in sys.argv[1:]:
        step("import " + name, lambda name=name: import_module(name))
    emit({"event": "done"})


main()
