"""TFD9xx: what ``check --deep`` saw when TensorFlow and Keras really ran.

A failing step is diagnosed by the explain engine (the same signatures as ``tfdoctor explain``)
and joined with the static findings: when a static finding already names the cause, the runtime
failure becomes its proof (evidence, severity error) instead of a second finding.
"""

from __future__ import annotations

import math
import re

from tfdoctor.deep import DeepResult, Step
from tfdoctor.finding import Finding, Group, Severity
from tfdoctor.registry import RuleInfo, register
from tfdoctor.rules.base import Context

IMPORT_TF = register(
    RuleInfo(
        "TFD901",
        "import-tensorflow",
        "broken-install",
        Severity.ERROR,
        Group.RUNTIME,
        "`import tensorflow` fails in the target environment.",
        kind="runtime",
    )
)
IMPORT_KERAS = register(
    RuleInfo(
        "TFD902",
        "import-keras",
        "broken-install",
        Severity.ERROR,
        Group.RUNTIME,
        "tf.keras, `import keras` or `import tf_keras` fails.",
        kind="runtime",
    )
)
SMOKE = register(
    RuleInfo(
        "TFD903",
        "smoke-test",
        "broken-install",
        Severity.ERROR,
        Group.RUNTIME,
        "The reference model (build, fit, predict, save, load) fails.",
        kind="runtime",
    )
)
TF_KERAS_LINE = register(
    RuleInfo(
        "TFD904",
        "tf-keras-resolution",
        "keras-version-mismatch",
        Severity.ERROR,
        Group.RUNTIME,
        "tf.keras resolves to another Keras than this TensorFlow expects, "
        "or mixes objects of two Keras implementations.",
        kind="runtime",
    )
)
CRASH = register(
    RuleInfo(
        "TFD905",
        "interpreter-crash",
        "platform-unsupported",
        Severity.ERROR,
        Group.RUNTIME,
        "The interpreter died (segfault, illegal instruction, killed) while running TensorFlow.",
        kind="runtime",
    )
)
TIMEOUT = register(
    RuleInfo(
        "TFD906",
        "time-limit",
        "broken-install",
        Severity.ERROR,
        Group.RUNTIME,
        "TensorFlow or Keras did not finish within the time limit (a hang).",
        kind="runtime",
    )
)
RUNTIME_RULES = (IMPORT_TF, IMPORT_KERAS, SMOKE, TF_KERAS_LINE, CRASH, TIMEOUT)

STEP_RULE = {
    "import tensorflow": IMPORT_TF,
    "resolve tf.keras": IMPORT_KERAS,
    "import keras": IMPORT_KERAS,
    "import tf_keras": IMPORT_KERAS,
    "tf.keras objects come from one Keras": TF_KERAS_LINE,
    "smoke test through tf.keras": SMOKE,
    "smoke test through keras": SMOKE,
}
SIGNAL_TEXT = {
    "SIGILL": "Illegal instruction (core dumped)",
    "SIGSEGV": "Segmentation fault (core dumped)",
    "SIGABRT": "Aborted (core dumped)",
    "SIGKILL": "Killed",
    "SIGBUS": "Bus error (core dumped)",
}


NOISE = re.compile(
    r"^(?:[IWE]\d{4} |WARNING: All log messages|To enable the following instructions|"
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IW] )"
)


def _stderr_lines(text: str, count: int = 3) -> list[str]:
    """The last lines of the interpreter's stderr that are not TensorFlow's start-up log."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [line[:300] for line in lines if not NOISE.match(line)][-count:]


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _diagnose(ctx: Context, text: str, facts: dict[str, str]) -> Finding | None:
    from tfdoctor.explain.engine import explain_text

    result = explain_text(text, facts)
    return result.findings[0] if result.findings else None


def runtime_findings(
    ctx: Context, deep: DeepResult, static: list[Finding], facts: dict[str, str]
) -> list[Finding]:
    """The static findings, proven or completed by what the deep run saw."""
    findings = list(static)
    for step in deep.steps:
        if step.status == "fail":
            _add(
                ctx,
                findings,
                STEP_RULE.get(step.name, SMOKE),
                step.name,
                step.error,
                [f"{step.name} failed after {step.seconds:.1f} s: {_last_line(step.error)}"],
                facts,
            )
    if deep.timed_out:
        took = deep.wall_seconds
        longer = max(600, math.ceil(took * 4))
        _add(
            ctx,
            findings,
            TIMEOUT,
            deep.unfinished,
            deep.stderr_tail,
            [
                f"{deep.unfinished or 'the run'} did not finish within "
                + (f"{took:.1f} s" if took < 10 else f"{took:.0f} s")
            ],
            facts,
            title=f"{deep.unfinished or 'the deep check'} did not finish within the time limit",
            why="The step was stopped at the time limit (--timeout), not by an error of its own: "
            "the machine is slow (the first import of TensorFlow after an install without "
            "byte-code can take a minute) or the step hangs (a network file system, a GPU driver "
            "that never answers, a lock held by another process).",
            fix_note="If the machine is just slow, run the check again with a longer time "
            f"limit (--timeout {longer}).",
        )
    elif deep.crashed:
        signal_name = deep.crashed.rsplit(" ", 1)[-1]
        text = deep.stderr_tail + "\n" + SIGNAL_TEXT.get(signal_name, deep.crashed)
        _add(
            ctx,
            findings,
            CRASH,
            deep.unfinished,
            text,
            [
                f"the interpreter was {deep.crashed} during {deep.unfinished or 'start-up'}",
                *_stderr_lines(deep.stderr_tail),
            ],
            facts,
            title=f"the interpreter was {deep.crashed} during {deep.unfinished or 'start-up'}",
        )
    _check_tf_keras_line(ctx, deep, findings)
    return findings


def _add(
    ctx: Context,
    findings: list[Finding],
    info: RuleInfo,
    step: str,
    text: str,
    evidence: list[str],
    facts: dict[str, str],
    title: str = "",
    why: str = "",
    fix_note: str = "",
) -> None:
    """``why`` and ``fix_note``: what to say when the text is not a known failure (else: that
    tfdoctor does not recognise it)."""
    diagnosis = _diagnose(ctx, text, facts)
    cause = diagnosis.cause if diagnosis is not None else info.cause
    proof = tuple(f"verified at runtime: {line}" for line in evidence if line)
    for i, existing in enumerate(findings):
        if existing.cause == cause and existing.group is not Group.RUNTIME:
            findings[i] = existing._replace(
                severity=Severity.ERROR, evidence=existing.evidence + proof
            )
            return
    broken = _broken_tensorflow(findings)
    if broken is not None:
        # A duplicate or incomplete TensorFlow breaks whatever runs on it: the failure is proof
        # of that finding (whose version mismatches are folded in too), never a cause of its own.
        findings[broken] = findings[broken]._replace(
            severity=Severity.ERROR, evidence=findings[broken].evidence + proof
        )
        return
    static_errors = [
        i
        for i, f in enumerate(findings)
        if f.severity is Severity.ERROR and f.group is not Group.RUNTIME
    ]
    if diagnosis is None and static_errors:
        # Not a known failure, but the environment already has an error that breaks it: the
        # failure is shown as what that error does at runtime, not as a cause of its own.
        i = static_errors[0]
        seen = tuple(
            f"seen at runtime (most likely a consequence): {line}" for line in evidence if line
        )
        findings[i] = findings[i]._replace(evidence=findings[i].evidence + seen)
        return
    recognised = diagnosis is not None
    findings.append(
        Finding(
            code=info.code,
            cause=cause,
            severity=Severity.ERROR,
            title=title or f"{step} fails: {_last_line(text)}",
            group=Group.RUNTIME,
            evidence=proof + (diagnosis.evidence if diagnosis is not None else ()),
            why=diagnosis.why
            if recognised and diagnosis is not None
            else why
            or "tfdoctor does not recognise this error; the environment does not work as installed. "
            "Paste the full output into `tfdoctor explain` or a bug report (--format markdown).",
            fix=diagnosis.fix if diagnosis is not None else (),
            fix_note=diagnosis.fix_note if diagnosis is not None else fix_note,
            data=(("step", step), ("signature", dict(diagnosis.data).get("signature", "")))
            if diagnosis is not None
            else (("step", step),),
        )
    )


# Static findings about TensorFlow's own files: two distributions in its folder, or an
# incomplete one (rules/install_state.py); every runtime failure follows from them.
BROKEN_TENSORFLOW = ("TFD301", "TFD304")


def _broken_tensorflow(findings: list[Finding]) -> int | None:
    return next(
        (
            i
            for i, f in enumerate(findings)
            if f.code in BROKEN_TENSORFLOW and f.group is Group.TENSORFLOW
        ),
        None,
    )


def _check_tf_keras_line(ctx: Context, deep: DeepResult, findings: list[Finding]) -> None:
    step = deep.step("resolve tf.keras")
    release = ctx.tf_release
    tf = ctx.tensorflow
    if step is None or step.status != "ok" or release is None or tf is None:
        return
    legacy = ctx.kb.legacy_keras_switch(ctx.snapshot.environ)
    version = str(step.detail.get("version") or "")
    kind = str(step.detail.get("kind") or "")
    legacy_honoured = legacy and release.legacy_keras_env
    expected = 2 if release.keras_line == 2 or legacy_honoured else 3
    actual = 2 if kind in ("keras 2", "tf_keras") else 3
    if actual == expected:
        return
    line = (
        f"tf.keras of TensorFlow {tf.version} is {step.detail.get('module')} "
        f"(Keras {version}), but this TensorFlow expects Keras {expected}"
    )
    _merge_or_add(findings, TF_KERAS_LINE, line, Step("resolve tf.keras", "ok", step.seconds))


def _merge_or_add(findings: list[Finding], info: RuleInfo, line: str, step: Step) -> None:
    proof = (f"verified at runtime: {line}",)
    for i, existing in enumerate(findings):
        if existing.cause == info.cause and existing.group is not Group.RUNTIME:
            findings[i] = existing._replace(evidence=existing.evidence + proof)
            return
    findings.append(
        Finding(
            code=info.code,
            cause=info.cause,
            severity=Severity.ERROR,
            title=line,
            group=Group.RUNTIME,
            evidence=proof,
            why="Code written for one Keras fails or behaves differently with the other.",
            fix_note="Run `tfdoctor check` without --deep for the static findings that explain it.",
            data=(("step", step.name),),
        )
    )
