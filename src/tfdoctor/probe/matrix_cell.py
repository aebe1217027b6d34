# ruff: noqa: F821  (emit, step, STATE, os, json... come from runtime.py, which precedes this file)
# Runs INSIDE a matrix cell's interpreter, appended to runtime.py (without its main() call): the
# steps of `check --deep`, then the mixed keras + tf.keras model, the dependents' own checks and
# the API-change checks. Standard library only besides what it tests; Python 3.7+.
# The cell's checks come as JSON in the file named by $TFDOCTOR_CELL_PLAN.
import importlib


def mixed_model():
    """A standalone keras layer inside a tf.keras model, as code written for both does."""
    import numpy as np

    tfk = STATE["tf_keras"]
    keras = STATE["keras"]
    model = tfk.Sequential([tfk.Input(shape=(4,)), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    out = model.predict(np.zeros((1, 4), dtype="float32"), verbose=0)
    return {"shape": list(out.shape)}


def resolve(path):
    """Import a dotted name the way `from a.b import c` does: the longest importable module,
    then attributes. Returns the object or raises the error the user would see."""
    parts = path.split(".")
    error = None
    for end in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:end]))
        except Exception as exc:
            if error is None:
                error = exc
            continue
        for name in parts[end:]:
            obj = getattr(obj, name)
        return obj
    raise error


def walk(path):
    """Reach a dotted name the way `tf.distribute.Server` in code does: import the top-level
    package, then attributes (TensorFlow's public names live in its API modules, which
    `import tensorflow.distribute` does not import)."""
    parts = path.split(".")
    obj = importlib.import_module(parts[0])
    for name in parts[1:]:
        obj = getattr(obj, name)
    return obj


def required_args(cls, values):
    """The arguments a layer class needs, from ``values`` by parameter name; LookupError
    ("cannot build") when one has no value or the class cannot be built with them, so that the
    check says nothing about the keyword."""
    import inspect

    args = {}
    for param in inspect.signature(cls.__init__).parameters.values():
        if param.name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.default is not param.empty:
            continue
        if param.name not in values:
            raise LookupError("cannot build %s: no value for %s" % (cls.__name__, param.name))
        args[param.name] = values[param.name]
    try:
        cls(**args)
    except Exception as exc:
        raise LookupError("cannot build %s: %s" % (cls.__name__, str(exc)[:80])) from None
    return args


def api_check(check):
    kind = check["kind"]
    if kind == "name":
        resolve(check["path"])
    elif kind == "attribute":
        walk(check["path"])
    elif kind == "method":
        model = resolve(check["path"])
        if not hasattr(model, check["method"]):
            raise AttributeError(
                "'%s' object has no attribute '%s'" % (model.__name__, check["method"])
            )
    elif kind == "keyword":
        import warnings

        cls = resolve(check["path"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            args = dict(check.get("args", {}))
            if "required" in check:
                args = required_args(cls, check["required"])
            obj = cls(**dict(args, **{check["keyword"]: check["value"]}))
        attr = check.get("attr", check["keyword"])
        got = getattr(obj, attr, None)
        try:
            got = float(got.numpy() if hasattr(got, "numpy") else got)
        except Exception:
            pass
        if got != check["value"]:
            raise ValueError(
                "ignored: %s=%r accepted but %s is %r"
                % (check["keyword"], check["value"], attr, got)
            )


def api_checks(checks):
    results = {}
    for check in checks:
        try:
            api_check(check)
            results[check["key"]] = "ok"
        except BaseException as exc:
            results[check["key"]] = ("%s: %s" % (type(exc).__name__, exc)).splitlines()[0][:200]
    return {"results": results}


def cell_main():
    with open(os.environ["TFDOCTOR_CELL_PLAN"]) as fh:
        plan = json.load(fh)
    if not stack_steps():
        emit({"event": "done"})
        return
    keras = STATE.get("keras")
    tf_keras = STATE.get("tf_keras")
    if keras is not None and tf_keras is not None:
        step("mixed keras + tf.keras model", mixed_model)
    for name, statement in plan.get("checks", []):
        step("dependent " + name, lambda s=statement: exec(s, {}) or {})
    if plan.get("api"):
        step("api checks", lambda: api_checks(plan["api"]))
    emit({"event": "done"})


cell_main()
