"""Text as users paste it: noise that must not match, and the forms that must still match."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tfdoctor.explain import engine, explain_stream, explain_text
from tfdoctor.explain.signatures import load_detectors

DATA = Path(__file__).resolve().parents[1] / "data" / "explain"


def _capture(name: str) -> str:
    return (DATA / f"{name}.txt").read_text(encoding="utf-8")


def _top(text: str) -> tuple[str, str]:
    finding = explain_text(text).findings[0]
    return finding.cause, dict(finding.data)["signature"]


NOT_FAILURES = {
    "prose": (
        "TensorFlow is an end-to-end open source platform for machine learning. Keras 3 is a\n"
        "multi-framework deep learning API; it runs on JAX, TensorFlow and PyTorch.\n"
    ),
    "prose with error words": (
        "The training error went down once we lowered the learning rate, and no warnings were\n"
        "printed. Requirements: tensorflow and keras, which depends on numpy.\n"
    ),
    # TensorFlow's E-level log line of working GPU installs, quoted from
    # https://github.com/tensorflow/io/issues/1742
    "cuBLAS factory noise": (
        "2022-12-07 04:26:57.258798: E tensorflow/stream_executor/cuda/cuda_blas.cc:2981] "
        "Unable to register cuBLAS factory: Attempting to register factory for plugin cuBLAS "
        "when one has already been registered\n"
    ),
    "cudart stub info": (
        "2021-04-09 19:52:41.024341: I tensorflow/stream_executor/cuda/cudart_stub.cc:29] "
        "Ignore above cudart dlerror if you do not have a GPU set up on your machine.\n"
    ),
    "empty": "",
}


@pytest.mark.parametrize("text", NOT_FAILURES.values(), ids=NOT_FAILURES.keys())
def test_text_without_a_failure_gives_no_finding(text: str) -> None:
    result = explain_text(text)
    assert not result.recognised
    assert result.findings == ()
    assert result.error_lines == ()


def test_unrelated_python_error_is_not_blamed_on_tensorflow() -> None:
    result = explain_text(_capture("negative_user_keyerror"))
    assert not result.recognised
    assert result.error_lines[-1].text == "KeyError: 'learning_rate'"


def test_ansi_colours_are_stripped() -> None:
    coloured = (
        "\x1b[0;31mTraceback (most recent call last)\x1b[0m:\n"
        '  File \x1b[35m"<string>"\x1b[0m, line \x1b[35m1\x1b[0m, in \x1b[35m<module>\x1b[0m\n'
        "\x1b[1;35mModuleNotFoundError\x1b[0m: \x1b[35mNo module named 'tensorflow'\x1b[0m\n"
    )
    finding = explain_text(coloured).findings[0]
    assert finding.cause == "not-installed"
    assert finding.evidence == ("line 3: ModuleNotFoundError: No module named 'tensorflow'",)


def test_ansi_escapes_written_out_in_a_notebook_json_dump_are_stripped() -> None:
    dumped = "\\u001b[0;31mImportError\\u001b[0m: numpy.core.multiarray failed to import\n"
    finding = explain_text(dumped).findings[0]
    assert finding.cause == "numpy-incompatible"
    assert finding.evidence == ("line 1: ImportError: numpy.core.multiarray failed to import",)


def test_html_entities_of_a_copied_web_page_are_decoded() -> None:
    text = "ModuleNotFoundError: No module named &#39;tensorflow&#39;\n"
    finding = explain_text(text).findings[0]
    assert finding.cause == "not-installed"
    assert finding.evidence == ("line 1: ModuleNotFoundError: No module named 'tensorflow'",)


def test_crlf_line_ends_give_the_same_result() -> None:
    text = _capture("real_tf221_tf_keras_215")
    plain = explain_text(text)
    crlf = explain_text(text.replace("\n", "\r\n"))
    assert [f.to_json() for f in crlf.findings] == [f.to_json() for f in plain.findings]


def test_windows_paths_still_satisfy_the_traceback_context() -> None:
    text = _capture("real_tf221_tf_keras_215").replace(
        "/work/envs/explain-tf221/lib/python3.11/site-packages/",
        "C:\\Users\\me\\venv\\Lib\\site-packages\\",
    )
    text = "\n".join(
        line.replace("/", "\\") if line.lstrip().startswith("File ") else line
        for line in text.split("\n")
    )
    assert "site-packages\\tf_keras\\src" in text
    assert _top(text) == ("tf-keras-mismatch", "tf-internal-from-tf-keras")


def test_notebook_traceback() -> None:
    result = explain_text(_capture("quoted_notebook_dll"))
    assert result.findings[0].cause == "platform-unsupported"
    assert dict(result.findings[0].data)["signature"] == "windows-dll-init-failed"
    assert [line.line_no for line in result.error_lines] == [8]


def test_launcher_prefixes_are_stripped() -> None:
    # quoted from https://github.com/athena-team/athena/issues/244 (mpirun rank prefixes)
    text = (
        "[1,1]<stderr>:/data/nfs_rt16/chenyu/asr/venv_athena/lib/python3.7/site-packages/"
        "tensorflow_addons/utils/ensure_tf_install.py:68: UserWarning: Tensorflow Addons "
        "supports using Python ops for all Tensorflow versions above or equal to 2.2.0 and "
        "strictly below 2.4.0 (nightly versions are not supported). \n"
    )
    assert _top(text) == ("dependent-package-incompatible", "tfa-unsupported-tf")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_byte_order_marks(encoding: str) -> None:
    """With a byte order mark, and UTF-16 without one (written so by some Windows tools)."""
    data = _capture("real_tf221_protobuf5").encode(encoding)
    result = explain_stream(io.BytesIO(data))
    assert result.findings[0].cause == "protobuf-incompatible"


def test_binary_input_with_nul_bytes_is_still_refused() -> None:
    """Only text whose every other byte is NUL, all on one side, is read as UTF-16."""
    from tfdoctor.explain.reader import NotTextError

    for data in (bytes(range(256)) * 8, b"PK\x03\x04\x14\x00\x00\x00\x08\x00" * 50):
        with pytest.raises(NotTextError):
            explain_stream(io.BytesIO(data))


def _chain(*exceptions: str) -> str:
    parts = []
    for n, exception in enumerate(exceptions):
        if n:
            parts.append(
                "\nDuring handling of the above exception, another exception occurred:\n\n"
            )
        parts.append(
            f'Traceback (most recent call last):\n  File "app.py", line {n}, in <module>\n'
        )
        parts.append(exception + "\n")
    return "".join(parts)


def test_an_exception_chain_is_read_whole_first_and_last_error_both_count() -> None:
    numpy = "ImportError: numpy.core.umath failed to import"
    hub = "ModuleNotFoundError: No module named 'tensorflow_hub'"
    protobuf = "TypeError: Descriptors cannot be created directly."
    first_last = explain_text(_chain(numpy, "KeyError: 'x'", hub))
    assert {f.cause for f in first_last.findings} == {"numpy-incompatible", "not-installed"}
    scores = {f.cause: f.confidence for f in first_last.findings}
    detectors = load_detectors()
    numpy_conf = next(s for s in detectors.signatures if s.id == "numpy-core-import-failed")
    assert scores["numpy-incompatible"] == round(numpy_conf.confidence, 3)  # full weight
    # an exception in the middle of the chain weighs less than the first and the last
    middle = explain_text(_chain("KeyError: 'x'", protobuf, hub))
    weights = {c.cause: c.weight for c in middle.candidates}
    assert weights["not-installed"] == 1.0 and weights["protobuf-incompatible"] < 1.0


def test_a_warning_beside_a_traceback_it_is_not_part_of_is_set_aside() -> None:
    cuda_warning = (
        "2021-04-09 19:52:41.024315: W tensorflow/stream_executor/platform/default/"
        "dso_loader.cc:60] Could not load dynamic library 'libcudart.so.11.0'; dlerror: "
        "libcudart.so.11.0: cannot open shared object file: No such file or directory\n"
    )
    text = cuda_warning + _capture("real_tf221_protobuf5")
    result = explain_text(text)
    assert [f.cause for f in result.findings] == ["protobuf-incompatible"]
    alone = explain_text(cuda_warning)
    assert [f.cause for f in alone.findings] == ["cuda-mismatch"]
    assert alone.findings[0].severity.value == "warning"


def test_generic_conflict_is_set_aside_where_a_specific_cause_matched() -> None:
    result = explain_text(_capture("real_pip_check_keras3"))
    assert [f.cause for f in result.findings] == ["keras-version-mismatch"]


def test_lines_are_given_as_a_sequence_too() -> None:
    lines = _capture("real_tf215_np_utils").splitlines()
    result = explain_text(lines)
    assert result.findings[0].cause == "removed-api"
    assert result.lines_read == len(lines)


@pytest.mark.parametrize(
    ("environment", "command"),
    [
        ("/home/u/envs/tf", "tfdoctor check --python /home/u/envs/tf"),
        ("/home/u/my envs/tf", "tfdoctor check --python '/home/u/my envs/tf'"),
        ("/tmp/$(rm -rf ~)/env", "tfdoctor check --python '/tmp/$(rm -rf ~)/env'"),
        ("~/miniconda3/envs/tf", "tfdoctor check --python ~/miniconda3/envs/tf"),
        (
            "C:\\Users\\me\\anaconda3\\envs\\tf",
            "tfdoctor check --python C:\\Users\\me\\anaconda3\\envs\\tf",
        ),
        ("C:\\Program Files\\Python311", 'tfdoctor check --python "C:\\Program Files\\Python311"'),
        ("C:\\Users\\me\\%PATH%\\env", "tfdoctor check"),  # cmd would expand it: not shown
        ("C:\\tools\\env(calc)", 'tfdoctor check --python "C:\\tools\\env(calc)"'),
        ("C:\\Users\\me\\a&calc\\env", "tfdoctor check"),
        ("/home/u/env\x1b[31m", "tfdoctor check"),
    ],
)
def test_the_next_step_is_safe_to_paste(environment: str, command: str) -> None:
    from tfdoctor.explain.engine import _next_step

    assert _next_step(environment) == command


def test_the_next_step_names_the_environment_the_traceback_shows() -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "/home/ann/venvs/tf 2/lib/python3.11/site-packages/keras/src/models/model.py", '
        "line 3, in <module>\n"
        "ModuleNotFoundError: No module named 'jax'\n"
    )
    result = explain_text(text)
    assert result.environment == "/home/ann/venvs/tf 2"
    assert result.next_step == "tfdoctor check --python '/home/ann/venvs/tf 2'"
    assert dict(result.findings[0].data)["next"] == result.next_step
    debian = explain_text(
        '  File "/usr/local/lib/python3.10/dist-packages/tensorflow/__init__.py", line 1\n'
        "ModuleNotFoundError: No module named 'keras'\n"
    )
    assert debian.next_step == "tfdoctor check --python /usr/bin/python3.10"
    redacted = explain_text(
        '  File "<redacted path>/lib/python3.11/site-packages/tensorflow/__init__.py", line 1\n'
        "ModuleNotFoundError: No module named 'keras'\n"
    )
    assert redacted.next_step == "tfdoctor check"


@pytest.mark.parametrize(
    ("site", "interpreter"),
    [
        # a Python built into /usr/local (the official python Docker images)
        ("/usr/local/lib/python3.11/site-packages", "/usr/local/bin/python3.11"),
        # Debian's python3 reads /usr/local/.../dist-packages (Colab) and /usr/lib/python3/...
        ("/usr/local/lib/python3.10/dist-packages", "/usr/bin/python3.10"),
        ("/usr/lib/python3/dist-packages", "/usr/bin/python3"),
        # Fedora's and Arch's system Python
        ("/usr/lib64/python3.12/site-packages", "/usr/bin/python3.12"),
    ],
)
def test_the_next_step_names_the_system_interpreter_of_the_paths(
    site: str, interpreter: str
) -> None:
    result = explain_text(
        f'  File "{site}/tensorflow/__init__.py", line 1\n'
        "ModuleNotFoundError: No module named 'keras'\n"
    )
    assert result.next_step == f"tfdoctor check --python {interpreter}"


@pytest.mark.parametrize(
    ("prefix", "command"),
    [
        ("/home/joe/pathology/venv", "tfdoctor check --python /home/joe/pathology/venv"),
        ("/srv/xpath-tools/.venv", "tfdoctor check --python /srv/xpath-tools/.venv"),
        ("/home/me/classpath", "tfdoctor check --python /home/me/classpath"),
        ("/path/to/venv", "tfdoctor check"),  # a placeholder, not an environment
        ("/home/[redacted]/venv", "tfdoctor check"),
    ],
)
def test_a_folder_whose_name_holds_path_is_still_an_environment(prefix: str, command: str) -> None:
    result = explain_text(
        f'  File "{prefix}/lib/python3.11/site-packages/tensorflow/__init__.py", line 1\n'
        "ModuleNotFoundError: No module named 'keras'\n"
    )
    assert result.next_step == command


@pytest.mark.parametrize(
    ("prefix", "command"),
    [
        ("/home/me/.local", "tfdoctor check"),  # the user site: of which interpreter is not shown
        ("~/.local", "tfdoctor check"),
        ("/root/.local", "tfdoctor check"),
        (
            "/home/me/.local/share/virtualenvs/proj-AbC123",  # pipenv's
            "tfdoctor check --python /home/me/.local/share/virtualenvs/proj-AbC123",
        ),
        ("~/.local/pipx/venvs/tool", "tfdoctor check --python ~/.local/pipx/venvs/tool"),
        ("/home/me/.localenv", "tfdoctor check --python /home/me/.localenv"),
    ],
)
def test_environments_kept_below_dot_local_are_named(prefix: str, command: str) -> None:
    result = explain_text(
        f'  File "{prefix}/lib/python3.11/site-packages/tensorflow/__init__.py", line 1\n'
        "ModuleNotFoundError: No module named 'keras'\n"
    )
    assert result.next_step == command


def test_tf_keras_version_attribute_is_not_an_environment_fault() -> None:
    """The tutorials' first line, print(tf.keras.__version__), fails on healthy TF <= 2.15."""
    result = explain_text(_capture("real_tf215_tf_keras_version"))
    finding = result.findings[0]
    assert dict(finding.data)["signature"] == "tf-keras-version-attribute"
    assert finding.severity.value == "info"  # exit status 0: nothing to repair
    assert "not an environment fault" in finding.title
    assert "keras.__version__" in finding.why and "tf_keras.__version__" in finding.why


def test_close_causes_make_the_diagnosis_uncertain() -> None:
    text = (
        "ModuleNotFoundError: No module named 'tensorflow'\n"
        "ImportError: numpy.core.multiarray failed to import\n"
    )
    result = explain_text(text)
    assert len(result.findings) == 2
    first, second = (f.confidence or 0 for f in result.findings)
    assert result.uncertain == (second >= 0.9 * first)
    clear = explain_text(_capture("real_tf215_numpy2"))
    assert not clear.uncertain


def test_a_message_of_several_causes_alone_is_uncertain_with_its_alternatives() -> None:
    from tfdoctor.report.explain import to_json

    text = "ValueError: Duplicate plugins for name projector\n"
    result = explain_text(text)
    assert result.findings[0].cause == "duplicate-distribution"
    assert result.uncertain
    assert result.alternatives == ("dependent-package-incompatible", "broken-install")
    assert "plugin package" in result.uncertain_reason
    document = to_json(result, "<text>")
    assert document["uncertain"] is True
    assert document["alternatives"] == ["dependent-package-incompatible", "broken-install"]
    assert document["uncertain_reason"] == result.uncertain_reason
    certain = to_json(explain_text(_capture("real_tf215_numpy2")), "<text>")
    assert certain["uncertain"] is False and certain["alternatives"] == []
    assert certain["uncertain_reason"] == ""


def test_a_named_ambiguity_stands_until_the_training_split_settles_it() -> None:
    """A message signatures.json calls ambiguous makes the diagnosis uncertain, unless the
    detector named its cause on at least SETTLED_SHARE of at least SETTLED_TEXTS training texts."""
    checked = {True: 0, False: 0}
    for detector in load_detectors().signatures:
        if not detector.ambiguous_with:
            continue
        result = explain_text(detector.example + "\n")
        if not result.findings or dict(result.findings[0].data)["signature"] != detector.id:
            continue  # its example is read by a more specific detector
        settled = engine.settled(detector)
        assert result.uncertain is not settled, detector.id
        measured = detector.measured
        assert settled == (
            measured.texts >= engine.SETTLED_TEXTS
            and measured.right >= engine.SETTLED_SHARE * measured.texts
        )
        checked[settled] += 1
    assert checked[True] and checked[False], checked  # both kinds are in the data today


def test_an_ambiguous_message_corroborated_by_another_detector_is_certain() -> None:
    listing = (
        "keras                        2.15.0\nkeras-nightly                3.16.0.dev2026102704\n"
    )
    text = "ValueError: Duplicate plugins for name projector\n" + listing
    result = explain_text(text)
    assert [f.cause for f in result.findings] == ["duplicate-distribution"]
    assert not result.uncertain and result.alternatives == ()


def test_the_import_typed_before_a_repl_traceback_names_the_module() -> None:
    text = (
        ">>> from keras.engine import merge\n"
        "Traceback (most recent call last):\n"
        '  File "<stdin>", line 1, in <module>\n'
        "ImportError: cannot import name merge\n"
    )
    top = explain_text(text).findings[0]
    assert top.cause == "removed-api" and "keras.engine" in top.why


def test_a_keras_api_a_package_built_on_keras_asks_for_is_that_package_s_fault() -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "train.py", line 1, in <module>\n'
        "    from transformers import TFAutoModel\n"
        '  File "/home/u/env/lib/python3.11/site-packages/transformers/modeling_tf_utils.py", '
        "line 70, in <module>\n"
        "    from keras.engine import data_adapter\n"
        "ModuleNotFoundError: No module named 'keras.engine'\n"
    )
    assert explain_text(text).findings[0].cause == "dependent-package-incompatible"
    # any installed package, known to tfdoctor or not: its release was written for another Keras
    other = text.replace("transformers/modeling_tf_utils.py", "imageai/detection.py")
    assert explain_text(other).findings[0].cause == "dependent-package-incompatible"
    assert "imageai asks for it" in explain_text(other).findings[0].why
    user = text.replace(
        "env/lib/python3.11/site-packages/transformers/modeling_tf_utils.py", "src/model.py"
    )
    assert explain_text(user).findings[0].cause == "removed-api"  # the user's own code


def test_a_private_attribute_of_a_keras_object_a_package_asks_for_is_that_package_s_fault() -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "listen.py", line 4, in <module>\n'
        "    inferer = Inferer(model_path)\n"
        '  File "/home/u/env/lib64/python3.6/site-packages/pyrtstools/kws/_inferer.py", '
        "line 21, in _load_keras_model\n"
        "    self.model._make_predict_function()\n"
        "AttributeError: 'Sequential' object has no attribute '_make_predict_function'\n"
    )
    top = explain_text(text).findings[0]
    assert top.cause == "dependent-package-incompatible"
    assert "pyrtstools uses `Sequential._make_predict_function`" in top.why
    # the same call in the user's own code: not a package's fault, and no name tfdoctor knows
    user = text.replace("/home/u/env/lib64/python3.6/site-packages/pyrtstools/kws/", "/home/u/")
    assert all(f.cause != "dependent-package-incompatible" for f in explain_text(user).findings)
    # a private attribute of the package's own class is not a Keras object's
    own = text.replace("'Sequential' object", "'Inferer' object")
    assert all(f.cause != "dependent-package-incompatible" for f in explain_text(own).findings)


def test_a_public_name_under_tensorflow_s_generated_modules_is_not_an_internal_one() -> None:
    # tensorflow._api.v2.distribute is tf.distribute: a public name missing from it (added to
    # TensorFlow later) does not say that Keras and TensorFlow are from different releases
    public = "AttributeError: module 'tensorflow._api.v2.distribute' has no attribute 'TPUStrategy'"
    assert all(f.cause != "keras-version-mismatch" for f in explain_text(public).findings)
    # an internal below the generated modules still is one
    internal = (
        "AttributeError: module 'tensorflow._api.v2.compat.v2.__internal__' has no attribute "
        "'register_load_context_function'"
    )
    assert explain_text(internal).findings[0].cause == "keras-version-mismatch"


def test_an_undefined_symbol_wrapped_over_lines_is_read_whole() -> None:
    # tensorflow/io#1871: the loader's message wrapped after the file and after "symbol:"; the
    # symbol is a const method's (_ZNK...), mangled with the K qualifier
    text = (
        "NotImplementedError: unable to open file: libtensorflow_io.so, from paths:\n"
        "['/opt/conda/lib/python3.11/site-packages/tensorflow_io/python/ops/libtensorflow_io.so']\n"
        "caused by: ['/opt/conda/lib/python3.11/site-packages/tensorflow_io/python/ops/"
        "libtensorflow_io.so: \n"
        "undefined symbol:\n"
        "_ZNK10tensorflow4data11DatasetBase8FinalizeEPNS_15OpKernelContextE']\n"
    )
    top = explain_text(text).findings[0]
    assert top.cause == "dependent-package-incompatible"
    assert "tensorflow_io/python/ops/libtensorflow_io.so" in top.why
    # not joined with a line that is not the symbol
    other = text.replace("undefined symbol:\n_ZNK10tensorflow", "see the log for details: ")
    assert all(f.cause != "dependent-package-incompatible" for f in explain_text(other).findings)
    # the qualifier matters where the file is not known to be a package built on TensorFlow
    alone = "ImportError: undefined symbol: _ZNK10tensorflow8OpKernel11TraceStringEv\n"
    assert explain_text(alone).findings[0].cause == "dependent-package-incompatible"


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        # the tail of protobuf's "Descriptors cannot be created directly" message, pasted alone
        # (luxonis/ai-tutorials#43)
        (
            " If you cannot immediately regenerate your protos, some other possible workarounds"
            " are:\n 1. Downgrade the protobuf package to 3.20.x or lower.\n",
            "protobuf-incompatible",
        ),
        (
            "If this call came from a _pb2.py file, your generated code is out of date and must be"
            " regenerated with protoc >= 3.19.0.\n",
            "protobuf-incompatible",
        ),
        # TensorFlow 1.x's leftover files, the bare message (keras-team/autokeras#34)
        ("ImportError: cannot import name 'abs'\n", "broken-install"),
        # a package's op library that Windows' loader refuses (tensorflow/quantum#800)
        (
            "NotFoundError: NotFoundError: D:\\envs\\q\\Lib\\site-packages\\tensorflow_quantum"
            "\\core\\ops\\_tfq_simulate_ops.so not found\n",
            "dependent-package-incompatible",
        ),
        # reticulate's configuration listing (rstudio/keras3#858)
        (
            "Error: Python module tensorflow.python.keras was not found. Detected Python "
            "configuration: python: C:\\Anaconda\\python.exe tensorflow: [NOT FOUND]\n",
            "not-installed",
        ),
    ],
)
def test_a_known_message_s_other_lines_name_its_cause(text: str, cause: str) -> None:
    assert explain_text(text).findings[0].cause == cause


def test_the_tuple_form_of_keras_s_keyword_refusal_names_the_keyword() -> None:
    # Keras raised TypeError('Keyword argument not understood:', kwarg): Python prints the tuple
    text = "TypeError: ('Keyword argument not understood:', 'input_length')\n"
    top = explain_text(text).findings[0]
    assert top.cause == "removed-api"
    assert "input_length" in top.why


@pytest.mark.parametrize(
    "text",
    [
        "ERROR: Cannot install tensorflow because these package versions have conflicting"
        " dependencies.\n\nThe conflict is caused by:\n    The user requested tensorflow==2.11.1\n",
        # pip-compile's form (jazzband/pip-tools#1436)
        "There are incompatible versions in the resolved dependencies:\n"
        "  typing-extensions==3.10.0 (from -r requirements.in (line 20))\n"
        "  typing-extensions~=3.7.4 (from tensorflow==2.5.3->-r requirements.in (line 21))\n",
    ],
)
def test_resolver_conflicts_are_declared_conflicts(text: str) -> None:
    assert explain_text(text).findings[0].cause == "declared-conflict"


def test_a_symbol_of_a_macos_framework_missing_is_an_older_macos_not_another_tensorflow() -> None:
    plugin = "/Users/u/env/lib/python3.8/site-packages/tensorflow-plugins/libmetal_plugin.dylib"
    text = (
        f"NotFoundError: dlopen({plugin}, 6): Symbol not found: "
        "_OBJC_CLASS_$_MPSGraphCompilationDescriptor\n"
        f"  Referenced from: {plugin} (which was built for Mac OS X 12.0)\n"
        "  Expected in: /System/Library/Frameworks/MetalPerformanceShadersGraph.framework/"
        "Versions/A/MetalPerformanceShadersGraph\n"
    )
    assert explain_text(text).findings[0].cause == "platform-unsupported"
    # a TensorFlow symbol the plugin misses is a build for another TensorFlow
    other = text.replace(
        "_OBJC_CLASS_$_MPSGraphCompilationDescriptor", "__ZN10tensorflow8OpKernelD2Ev"
    )
    other = other.split("  Expected in")[0]
    assert explain_text(other).findings[0].cause == "dependent-package-incompatible"
    # macOS 12 and newer's dyld writes each image's UUID before its path, aligned
    dyld4 = (
        f"ImportError: dlopen({plugin}, 0x0006): Symbol not found: "
        "_OBJC_CLASS_$_MPSGraphCompilationDescriptor\n"
        f"  Referenced from: <D2EF42E3-3A7F-39DD-9982-FB6BCDC2853C> {plugin}\n"
        "  Expected in:     <2BAF2DA1-B3AA-35A3-9E3E-C35C0AE2E5C8> /System/Library/Frameworks/"
        "MetalPerformanceShadersGraph.framework/Versions/A/MetalPerformanceShadersGraph\n"
    )
    assert explain_text(dyld4).findings[0].cause == "platform-unsupported"


def test_tensorflow_s_bundled_keras_imported_by_unseen_code_is_most_often_a_library() -> None:
    message = "ModuleNotFoundError: No module named 'tensorflow.python.keras.engine.keras_tensor'"
    alone = explain_text(message + "\n")
    assert alone.findings[0].cause == "dependent-package-incompatible"
    # the user's own code can import it too (ambiguous_with), but on the training split the
    # message was a library's often enough to settle it (engine.SETTLED_SHARE)
    detector = load_detectors().family("tf-bundled-keras-unplaced")
    assert alone.uncertain is not engine.settled(detector)
    # a frame of the user's own code says whose import it is
    user = (
        "Traceback (most recent call last):\n"
        '  File "/home/u/project/train.py", line 3, in <module>\n'
        "    from tensorflow.python.keras.engine.keras_tensor import KerasTensor\n" + message + "\n"
    )
    result = explain_text(user)
    assert result.findings[0].cause == "removed-api"
    assert not result.uncertain


def test_a_traceback_cut_inside_generated_protobuf_code_is_protobuf() -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "<string>", line 1, in <module>\n'
        '  File "/env/lib/python3.8/site-packages/tensorflow/core/framework/tensor_pb2.py", '
        "line 16, in <module>\n"
        "    from tensorflow.core.framework import tensor_shape_pb2\n"
    )
    assert explain_text(text).findings[0].cause == "protobuf-incompatible"
    other = text.replace("tensor_pb2.py", "tensor.py")
    assert explain_text(other).findings == ()


def test_an_api_change_of_tf_keras_only_is_not_looked_up_for_the_keras_package() -> None:
    # tf.keras of TF <= 2.15 has no __version__ (api_changes.json lists it for tf.keras only);
    # the keras package always has one: without it the package folder is hollow
    tf_keras = explain_text(
        "AttributeError: module 'keras.api._v2.keras' has no attribute '__version__'\n"
    )
    assert tf_keras.findings[0].cause == "removed-api"
    keras = explain_text("AttributeError: module 'keras' has no attribute '__version__'\n")
    assert keras.findings[0].cause == "broken-install"


def test_typographic_quotes_match_as_plain_ones() -> None:
    """A log copied through a web page or an editor comes with curly quotes; quoted from
    https://github.com/kundajelab/chrombpnet/issues/49 (TF 2.4 under CUDA 11.1)."""
    curly = (
        "\u201cCould not load dynamic library \u2018libcusolver.so.10\u2019; \n"
        "dlerror: libcusolver.so.10: cannot open shared object file: No such file or directory\u201d\n"
    )
    plain = curly.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"'})
    assert _top(curly) == _top(plain)
    assert _top(curly)[0] == "cuda-mismatch"
    shown = explain_text(curly).findings[0]
    assert "\u2018libcusolver.so.10\u2019" in str(shown.evidence)  # evidence is what the user wrote


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "&nbsp;"])
def test_no_break_spaces_match_as_plain_ones(space: str) -> None:
    """Copied from a rendered page or a chat, the words of a message are held together by
    no-break spaces (or by &nbsp; in the page's source)."""
    message = "AttributeError: module 'tensorflow' has no attribute 'Session'\n"
    assert _top(message.replace(" ", space)) == _top(message) == ("removed-api", "api-change-tf")


BOUNDS = {
    # TensorFlow's own warning when loading an old SavedModel, beside the installed version
    "saved prior to": "WARNING:absl:SavedModel saved prior to TF 2.5 detected when loading Keras model.",
    "at least": "This model needs at least tensorflow 2.4 to load.",
    "since": "UserWarning: `lr` is deprecated since tensorflow 2.11, use `learning_rate`.",
}


@pytest.mark.parametrize("line", BOUNDS.values(), ids=BOUNDS.keys())
def test_a_version_named_as_a_bound_is_not_an_installed_one(line: str) -> None:
    text = f"tensorflow-cpu 2.15.1\n{line}\n"
    assert "duplicate-distribution" not in {f.cause for f in explain_text(text).findings}
    # the same line naming an installed version still counts
    installed = f"tensorflow-cpu 2.15.1\ntensorflow 2.5.0\n{line}\n"
    assert explain_text(installed).findings[0].cause == "duplicate-distribution"


@pytest.mark.parametrize(
    ("capture", "replacement"),
    [
        ("real_tf215_train_adamoptimizer", "tensorflow.compat.v1.train.AdamOptimizer"),
        ("real_tf215_nn_rnn_cell", "tensorflow.compat.v1.nn.rnn_cell"),
        ("real_tf215_random_normal", "tensorflow.random.normal"),
    ],
)
def test_a_tf1_name_under_tf2_s_generated_modules_names_its_tf_upgrade_v2_replacement(
    capture: str, replacement: str
) -> None:
    # TF 2 reports tf.train as 'tensorflow._api.v2.train'; the name is looked up as tf.train.X in
    # the renames that kb/data/api_changes.json takes from tf_upgrade_v2
    text = (Path(__file__).resolve().parents[1] / "data" / "explain" / f"{capture}.txt").read_text()
    top = explain_text(text).findings[0]
    assert top.cause == "removed-api"
    assert replacement in top.why or any(replacement in e for e in top.evidence)


@pytest.mark.parametrize(
    ("text", "signature"),
    [
        # https://github.com/tensorflow/text/issues/97
        (
            "tensorflow.python.framework.errors_impl.NotFoundError: dlopen(/Users/ethan/venv/"
            "nlp_env/lib/python3.7/site-packages/tensorflow_text/python/ops/"
            "_constrained_sequence_op.so, 6): Library not loaded: "
            "@rpath/libtensorflow_framework.1.dylib",
            "dependent-abi",
        ),
        # https://github.com/tensorflow/text/issues/654
        (
            "tensorflow.python.framework.errors_impl.NotFoundError: dlopen(/Users/davidlaxer/"
            "tensorflow-metal/lib/python3.8/site-packages/tensorflow-plugins/"
            "libmetal_plugin.dylib, 6): Symbol not found: _TF_AssignUpdateVariable",
            "tensorflow-metal-other-tf",
        ),
    ],
)
def test_macos_loader_messages_name_a_package_built_for_another_tensorflow(
    text: str, signature: str
) -> None:
    # macOS's dlopen says "Symbol not found" / "Library not loaded" where Linux says
    # "undefined symbol": the module's package decides whose build does not fit
    result = explain_text(text)
    assert result.findings[0].cause == "dependent-package-incompatible"
    assert signature in result.detectors


def test_tensorflow_s_own_library_not_loaded_on_macos_is_not_a_mix_of_releases() -> None:
    # constructed from the shape of https://github.com/tensorflow/text/issues/97, for
    # TensorFlow's own module: the loader not finding TensorFlow's framework library says
    # nothing of a second release
    text = (
        "ImportError: dlopen(/Users/me/env/lib/python3.7/site-packages/tensorflow/python/"
        "_pywrap_tensorflow_internal.so, 6): Library not loaded: "
        "@rpath/libtensorflow_framework.2.dylib"
    )
    assert "tf-binaries-mixed" not in explain_text(text).detectors


@pytest.mark.parametrize(
    "text",
    [
        # https://github.com/tensorflow/tensorflow/issues/45451
        "FileNotFoundError: [Errno 2] No such file or directory: 'c:\\\\users\\\\USER\\\\anaconda3"
        "\\\\envs\\\\tf-gpu-latest\\\\lib\\\\site-packages\\\\tensorflow_estimator-2.4.0rc0.dist-info"
        "\\\\METADATA'",
        # https://github.com/pypa/pip/issues/8676
        "ERROR: Could not install packages due to an EnvironmentError: [Errno 2] No such file or "
        "directory: 'c:\\\\python\\\\python36\\\\lib\\\\site-packages\\\\"
        "tensorflow_estimator-2.3.0.dist-info\\\\METADATA'",
    ],
)
def test_a_path_in_a_python_repr_with_doubled_backslashes_is_read_as_a_path(text: str) -> None:
    # pip's OSError messages print the path as Python's repr: every backslash doubled
    result = explain_text(text)
    assert result.findings[0].cause == "broken-install"
    assert "dist-info-metadata-missing" in result.detectors


def test_a_leftover_folder_in_a_python_repr_path_is_seen() -> None:
    # the case above passes with the backslashes doubled too (its pattern allows '/{1,2}');
    # this one needs the fold: '-packages/~' is only there once a doubled backslash reads as
    # one '/'. Constructed in the shape of pip's OSError message (a path in Python's repr)
    text = (
        "ERROR: Could not install packages due to an OSError: [WinError 5] Access is denied: "
        "'c:\\\\users\\\\me\\\\anaconda3\\\\lib\\\\site-packages\\\\~ensorflow\\\\python"
        "\\\\_pywrap_tensorflow_internal.pyd'"
    )
    assert "pip-invalid-distribution" in explain_text(text).detectors


def test_tensorflow_beside_the_implementation_it_pins_is_one_installation() -> None:
    # TF 2.11-2.15 on Windows is a `tensorflow` that pins `tensorflow-intel` of its own version
    # (Requires-Dist in kb/data/declared.json): a healthy `pip list` there shows both
    listing = (
        "tensorflow                   2.13.0\n"
        "tensorflow-estimator         2.13.0\n"
        "tensorflow-intel             2.13.0\n"
        "tensorflow-io-gcs-filesystem 0.31.0\n"
    )
    assert "versions-two-tensorflows" not in explain_text(listing).detectors
    # a third distribution, or the pinned one at another version, is still a second install
    gpu = listing.replace("tensorflow-intel", "tensorflow-gpu          ")
    assert "versions-two-tensorflows" in explain_text(listing + gpu.splitlines()[2]).detectors
    other = listing.replace("tensorflow-intel             2.13.0", "tensorflow-intel 2.12.0")
    assert "versions-two-tensorflows" in explain_text(other).detectors


def test_conda_without_a_build_for_the_environment_s_python() -> None:
    # https://github.com/tensorflow/tensorflow/issues/43531 (conda-forge tensorflow, Python 3.8)
    text = (
        "UnsatisfiableError: The following specifications were found\n"
        "to be incompatible with the existing python installation in your environment:\n"
        "\n"
        "Specifications:\n"
        "\n"
        "  - tensorflow -> python[version='3.5.*|3.6.*|>=3.5,<3.6.0a0|>=3.6,<3.7.0a0|"
        ">=3.7,<3.8.0a0|3.7.*']\n"
        "\n"
        "Your python: python=3.8\n"
    )
    result = explain_text(text)
    assert result.findings[0].cause == "python-unsupported"
    assert "conda-python-incompatible" in result.detectors


def test_tensorflow_code_on_the_theano_backend() -> None:
    # the frames of https://github.com/wxs/subjective-functions/pull/2: the backend module fails
    # on a TensorFlow-backend call; no "Using Theano backend." line is needed
    in_backend = (
        "Traceback (most recent call last):\n"
        '  File "/Users/ryan/mess/2017/42/subjective-functions/gram.py", line 148, in fn\n'
        "    return K.conv2d(K.conv2d(x, kernel_3d, strides=(2,1)),\n"
        '  File "/usr/local/lib/python3.6/site-packages/keras/backend/theano_backend.py", '
        "line 1691, in conv2d\n"
        "    kernel_shape = kernel.eval().shape\n"
        "AttributeError: 'numpy.ndarray' object has no attribute 'eval'\n"
    )
    assert _top(in_backend) == ("backend-misconfigured", "keras-backend-not-tensorflow")
    # the Theano backend printed, but the error is the user's import (keras-team/keras#3726)
    not_backend = (
        ">>> from keras import preprocessing\nUsing Theano backend.\n"
        "Traceback (most recent call last):\n"
        '  File "<stdin>", line 1, in <module>\n'
        "AttributeError: module 'keras.preprocessing' has no attribute 'sequence'\n"
    )
    causes = {dict(f.data).get("signature") for f in explain_text(not_backend).findings}
    assert "keras-backend-not-tensorflow" not in causes


def test_a_version_before_an_install_hint_in_a_message_is_stated() -> None:
    from tfdoctor.explain.versions import VersionFacts

    facts = VersionFacts()
    message = (
        "ValueError: You have tensorflow 2.16.1 and this requires tf-keras package. "
        "Please run `pip install tf-keras` or downgrade your tensorflow."
    )
    facts.feed(message, 1, message)
    assert facts.versions() == {"tensorflow": "2.16.1"}
    # an install command names what is asked for, not what is installed
    asked = VersionFacts()
    for number, line in enumerate(
        ["pip install tensorflow==2.4.0", "RuntimeError: pip install keras 3.0"], 1
    ):
        asked.feed(line, number, line)
    assert asked.versions() == {}


NO_DISTRIBUTION = (
    "ERROR: Could not find a version that satisfies the requirement {name} (from versions: none)\n"
    "ERROR: No matching distribution found for {name}\n"
)


@pytest.mark.parametrize(
    ("before", "name", "cause"),
    [
        # tensorflow-text's recent releases have wheels for Linux and macOS only (declared.json)
        (
            "(env) C:\\Users\\u\\project>python -m pip install tensorflow-text\n",
            "tensorflow-text",
            "platform-unsupported",
        ),
        ("$ pip install tensorflow-text\n", "tensorflow-text", "platform-unsupported"),
        ("pi@raspberrypi:~ $ uname -m\narmv7l\n", "tensorflow", "platform-unsupported"),
        # TensorFlow has wheels for Windows and Linux: the Python is what pip found nothing for
        (
            "(env) C:\\Users\\u\\project>python -m pip install tensorflow\n",
            "tensorflow",
            "python-unsupported",
        ),
        ("$ pip install tensorflow\n", "tensorflow", "python-unsupported"),
        # shown on Linux, where tensorflow-text has wheels
        ("user@host:~$ uname -m\naarch64\n", "tensorflow-text", "python-unsupported"),
    ],
)
def test_no_distribution_is_the_platform_s_fault_where_the_package_has_no_wheel_for_it(
    before: str, name: str, cause: str
) -> None:
    top = explain_text(before + NO_DISTRIBUTION.format(name=name)).findings[0]
    assert top.cause == cause


def test_no_release_of_a_requirement_of_tensorflow_is_the_platform_not_the_python() -> None:
    # pip resolved tensorflow itself for this interpreter, so its Python is one TensorFlow
    # supports: nothing of the requirement fits this machine (tensorflow/io#1625, Apple M1)
    dependency = (
        "ERROR: Could not find a version that satisfies the requirement "
        "tensorflow-io-gcs-filesystem>=0.23.1 (from tensorflow) (from versions: none)\n"
        "ERROR: No matching distribution found for tensorflow-io-gcs-filesystem>=0.23.1\n"
    )
    top = explain_text(dependency).findings[0]
    assert top.cause == "platform-unsupported"
    assert "pip resolved tensorflow for this Python" in top.why
    # releases listed: the pin excludes them, not the machine
    listed = dependency.replace(
        ">=0.23.1 (from tensorflow) (from versions: none)",
        "==0.31.0 (from tensorflow) (from versions: 0.34.0, 0.35.0)",
    )
    assert all("pip resolved tensorflow" not in f.why for f in explain_text(listed).findings)
    # tensorflow itself asked for by another package: the Python is in question again
    pinned = (
        "Could not find a version that satisfies the requirement tensorflow==1.12.0 "
        "(from tensorflowjs) (from versions: 1.13.0rc1, 1.13.0rc2)\n"
        "No matching distribution found for tensorflow==1.12.0 (from tensorflowjs)\n"
    )
    assert explain_text(pinned).findings[0].cause == "python-unsupported"


def test_a_pip_list_line_with_tabs_states_its_version() -> None:
    from tfdoctor.explain.versions import VersionFacts

    facts = VersionFacts()
    line = "tensorflow  \t\t   1.8.0  "
    facts.feed(line, 1, line)
    assert facts.versions() == {"tensorflow": "1.8.0"}


def test_a_module_named_without_quotes_is_read_like_a_quoted_one() -> None:
    quoted = explain_text("AttributeError: module 'tensorflow' has no attribute 'gfile'\n")
    bare = explain_text("AttributeError: module tensorflow has no attribute 'gfile'\n")
    assert [f.cause for f in bare.findings] == [f.cause for f in quoted.findings] == ["removed-api"]
    # Python 2's form names no module: a name the API table knows (gone in TF 2.0 and 2.1, which
    # still ran on Python 2) is read as such; one that every TensorFlow has is not
    py2 = explain_text("AttributeError: 'module' object has no attribute 'gfile'\n")
    assert [f.cause for f in py2.findings] == ["removed-api"]
    assert "tensorflow.gfile" in py2.findings[0].why
    assert (
        explain_text("AttributeError: 'module' object has no attribute 'constant'\n").findings == ()
    )


@pytest.mark.parametrize(
    "line",
    [
        "ImportError: Keras requires TensorFlow 2.2 or higher. Install TensorFlow via `pip install tensorflow`",
        "ImportError: keras_cv requires tensorflow 2.13 or newer; please install it",
        "RuntimeError: tensorflow 2.15 is required, install it",
        "Requested:\ttensorflow\t2.16.1",
    ],
)
def test_a_version_asked_for_in_a_message_is_not_an_installed_one(line: str) -> None:
    from tfdoctor.explain.versions import VersionFacts

    facts = VersionFacts()
    facts.feed(line, 1, line)
    assert facts.versions() == {}


def test_a_core_name_a_package_asks_for_is_a_hollow_tensorflow_not_the_package() -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "/env/lib/python3.11/site-packages/imageai/detection.py", line 3, in <module>\n'
        "    x = tf.{name}\n"
        "AttributeError: module 'tensorflow' has no attribute '{name}'\n"
    )
    assert explain_text(text.format(name="Variable")).findings[0].cause == "broken-install"
    # a name TensorFlow dropped, which the API table does not know: the package's release
    missing = explain_text(text.format(name="some_old_helper")).findings[0]
    assert missing.cause == "dependent-package-incompatible" and "imageai asks" in missing.why


@pytest.mark.parametrize(
    ("before", "cause"),
    [
        # WSL: the text names Windows, but pip ran on Linux, where tensorflow-text has wheels
        ("user@host:~$ cat /proc/version  # Windows Subsystem for Linux\n", "python-unsupported"),
        (
            "I also tried on Windows, same error.\n$ pip install tensorflow-text\n",
            "platform-unsupported",
        ),
        ("/home/u/.venv/bin/pip install tensorflow-text\n", "python-unsupported"),
        (
            "Darwin Kernel Version 23.1.0\n",
            "python-unsupported",
        ),  # tensorflow-text has macOS wheels
    ],
)
def test_the_platform_is_read_from_what_the_machine_printed(before: str, cause: str) -> None:
    text = before + NO_DISTRIBUTION.format(name="tensorflow-text")
    assert explain_text(text).findings[0].cause == cause


def test_a_too_deep_network_is_not_a_keras_json_setting() -> None:
    deep = (
        "ValueError: Negative dimension size caused by subtracting 2 from 1 for "
        "'max_pooling2d_4/MaxPool' (op: 'MaxPool') with input shapes: [?,1,1,512].\n"
    )
    assert explain_text(deep).findings == ()
    channels_first = (
        "ValueError: Negative dimension size caused by subtracting 64 from 1 for "
        "'depthwise_conv2d/depthwise' (op: 'DepthwiseConv2dNative') with input shapes: "
        "[?,1,64,8], [64,1,8,2].\n"
    )
    assert explain_text(channels_first).findings[0].cause == "backend-misconfigured"


def test_protobuf_s_gencode_warning_does_not_outrank_the_error_that_failed() -> None:
    warning = (
        "/env/lib/python3.12/site-packages/google/protobuf/runtime_version.py:98: UserWarning: "
        "Protobuf gencode version 5.28.3 is exactly one major version older than the runtime "
        "version 6.31.1 at tensorflow/core/framework/attr_value.proto.\n"
    )
    assert explain_text(warning).findings[0].cause == "protobuf-incompatible"
    failed = warning + (
        "Traceback (most recent call last):\n"
        '  File "train.py", line 9, in <module>\n'
        "ValueError: Shapes (None, 1) and (None, 10) are incompatible\n"
    )
    assert "protobuf-incompatible" not in {f.cause for f in explain_text(failed).findings}


@pytest.mark.parametrize(
    ("text", "replacement"),
    [
        # Keras 2.9-2.12 moved these to keras.utils (checked in the keras wheels of 2.8, 2.9,
        # 2.12 and 2.13); Keras 2.4 dropped the lowercase optimizer aliases of Keras 2.3
        (
            "AttributeError: module 'keras.preprocessing.sequence' has no attribute 'pad_sequences'",
            "keras.utils.pad_sequences",
        ),
        (
            "ImportError: cannot import name 'load_img' from 'keras.preprocessing.image' "
            "(/usr/local/lib/python3.10/dist-packages/keras/preprocessing/image.py)",
            "keras.utils.load_img",
        ),
        (
            "ImportError: cannot import name 'adam' from 'keras.optimizers' "
            "(/usr/local/lib/python3.8/dist-packages/keras/optimizers/__init__.py)",
            "keras.optimizers.Adam",
        ),
        # keras 2.6-2.8's keras/optimizers.py binds no optimizer class (proven in keras 2.6.0)
        (
            "ImportError: cannot import name 'Adam' from 'keras.optimizers' "
            "(/tmp/k26/lib/python3.9/site-packages/keras/optimizers.py)",
            "tensorflow.keras.optimizers.Adam",
        ),
        (
            "AttributeError: module 'keras.optimizers' has no attribute 'RMSprop'",
            "tensorflow.keras.optimizers.RMSprop",
        ),
    ],
)
def test_names_keras_moved_between_2x_releases_are_removed_apis(
    text: str, replacement: str
) -> None:
    finding = explain_text(text + "\n").findings[0]
    assert finding.cause == "removed-api"
    assert replacement in finding.why + " ".join(" ".join(step) for step in finding.fix)


def test_a_message_wrapped_before_its_name_is_read_joined() -> None:
    # a hard-wrapped paste (https://github.com/google/clusterfuzz/pull/2266): the name the
    # message is about went to the next line
    wrapped = (
        "AttributeError\n"
        "module 'google.protobuf.descriptor' has no attribute\n"
        "'_internal_create_key'\n"
    )
    assert explain_text(wrapped).findings[0].cause == "protobuf-incompatible"
    # a quoted line after an unrelated one is not joined to it
    unrelated = "ValueError: bad input shape\n'_internal_create_key'\n"
    assert not explain_text(unrelated).findings


def test_setuptools_requirement_errors_are_read_like_pips() -> None:
    # `python setup.py install` (easy_install) says it its own way
    # (https://github.com/Calamari-OCR/calamari_models/issues/14)
    text = "error: tensorflow 2.9.1 is installed but tensorflow<2.7.0,>=2.4.0 is required by {'tfaip'}\n"
    finding = explain_text(text).findings[0]
    assert finding.cause == "dependent-package-incompatible"
    assert "tfaip requires tensorflow" in finding.why


@pytest.mark.parametrize(
    ("tf_keras", "mismatch"),
    [("2.16", False), ("2.16.0", False), ("2.16.0rc0", False), ("2.15.0", True), ("2.1", True)],
)
def test_a_tf_keras_stated_without_its_patch_is_of_its_minor(tf_keras: str, mismatch: bool) -> None:
    result = explain_text(
        f"I have tensorflow 2.16.1 and tf-keras {tf_keras} installed\nValueError: it failed\n"
    )
    signatures = [dict(f.data)["signature"] for f in result.findings]
    assert ("versions-tf-keras" in signatures) is mismatch


def test_a_version_pip_uninstalled_is_not_the_installed_one() -> None:
    """A session that uninstalls keras 3 before running: keras 3.0.0 is no longer installed,
    so it is not a Keras that does not fit TensorFlow 2.15 (the missing keras is the cause)."""
    session = (
        "$ pip list | grep tensorflow\n"
        "tensorflow                   2.15.0\n"
        "$ pip uninstall -y keras\n"
        "Found existing installation: keras 3.0.0\n"
        "Uninstalling keras-3.0.0:\n"
        "  Successfully uninstalled keras-3.0.0\n"
        "$ python train.py\n"
        "Traceback (most recent call last):\n"
        '  File "train.py", line 1, in <module>\n'
        "    from tensorflow import keras\n"
        "ModuleNotFoundError: No module named 'keras'\n"
    )
    signatures = [dict(f.data)["signature"] for f in explain_text(session).findings]
    assert signatures == ["top-module-missing"]
    # installed again afterwards: that version counts
    again = session.replace(
        "$ python train.py\n",
        "$ pip install keras==3.0.0\nSuccessfully installed keras-3.0.0\n$ python train.py\n",
    )
    assert "versions-keras" in [dict(f.data)["signature"] for f in explain_text(again).findings]


def test_the_tensorflow_of_a_text_is_the_variant_stated_last() -> None:
    """Two TensorFlow variants stated, one of them again at the end: the TensorFlow the API
    changes are checked against is the last one stated (2.15, which has no tf.Session), the
    same one the version checks read."""
    text = (
        "tensorflow-gpu==2.15.0\n"
        "tensorflow-cpu==1.15.0\n"
        "tensorflow-gpu==2.15.0\n"
        "AttributeError: module 'tensorflow' has no attribute 'Session'\n"
    )
    signatures = [dict(f.data)["signature"] for f in explain_text(text).findings]
    assert "api-change-tf" in signatures


def test_a_name_whose_own_entry_misses_the_stated_keras_is_read_by_its_module_s() -> None:
    # keras.optimizers.legacy.Adadelta's own entry is keras 2.9-2.12 (derived); Keras 3 is said
    # by keras.optimizers.legacy's (curated)
    error = (
        "ImportError: cannot import name 'Adadelta' from 'keras.optimizers.legacy' "
        "(/env/lib/python3.11/site-packages/keras/optimizers/legacy/__init__.py)\n"
    )
    for version in ("3.3.3", "2.10.0"):
        text = f"$ pip list | grep keras\nkeras                        {version}\n{error}"
        assert explain_text(text).findings[0].cause == "removed-api", version


def test_a_warning_logged_before_an_error_message_is_not_what_went_wrong() -> None:
    # https://github.com/spyder-ide/spyder/issues/12675: no traceback, but an error's message
    cudart = (
        "2020󈚩󈚭 14:38:10.611333: W tensorflow/stream_executor/platform/default/"
        "dso_loader.cc:55] Could not load dynamic library 'cudart64_100.dll'; dlerror: "
        "cudart64_100.dll not found\n"
    )
    hdf5 = (
        "Warning! ***HDF5 library version mismatched error***\n"
        "The HDF5 header files used to compile this application do not match\n"
    )
    assert explain_text(cudart).findings[0].cause == "cuda-mismatch"  # the warning alone
    result = explain_text(cudart + hdf5)
    assert [f.cause for f in result.findings] == ["mixed-installers"]
    assert not result.uncertain


# https://github.com/jetsonhacks/installTensorFlowJetsonTX/issues/9 (the machine is shown by a
# command typed after pip's message)
_JETSON_WHEEL = (
    "nvidia@tegra-ubuntu:~/tensorflow$ pip install /tmp/tensorflow_pkg/"
    "tensorflow-1.6.0rc0-cp27-cp27mu-linux_aarch64.whl\n"
    "tensorflow-1.6.0rc0-cp27-cp27mu-linux_aarch64.whl is not a supported wheel on this platform.\n"
    "nvidia@tegra-ubuntu:~/tensorflow$ arch\n"
    "aarch64\n"
)
_REFUSED = "ERROR: tensorflow-2.3.1-cp36-cp36m-linux_aarch64.whl is not a supported wheel on this platform.\n"


@pytest.mark.parametrize(
    ("text", "cause", "detector"),
    [
        # the wheel is for the machine the text shows (after the message): its Python misfits
        (_JETSON_WHEEL, "python-unsupported", "wheel-for-another-python"),
        # a path shows Python 3.8; the wheel is cp36
        (
            '  File "/usr/lib/python3.8/site-packages/pip/_internal/cli/base_command.py", line 1\n'
            + _REFUSED,
            "python-unsupported",
            "wheel-for-another-python",
        ),
        # the Python the wheel names is the one shown: its platform misfits
        (
            "Python 3.6.9 (default, Jul 17 2020, 12:50:27)\n"
            "C:\\Users\\me> pip install tensorflow-2.3.1-cp36-cp36m-linux_aarch64.whl\n" + _REFUSED,
            "platform-unsupported",
            "wheel-for-another-platform",
        ),
        # a Windows prompt, a Linux wheel
        (
            "(base) C:\\Users\\me\\Downloads> pip install "
            "tensorflow-2.3.1-cp36-cp36m-linux_aarch64.whl\n" + _REFUSED,
            "platform-unsupported",
            "wheel-for-another-platform",
        ),
    ],
)
def test_which_tag_of_a_refused_wheel_misfits_is_read_from_what_the_text_shows(
    text: str, cause: str, detector: str
) -> None:
    _assert_placed(text, cause, detector)


def _assert_placed(text: str, cause: str, detector: str) -> None:
    result = explain_text(text)
    assert _top(text) == (cause, detector)
    assert not result.uncertain
    # pip's words alone are no longer a finding beside the placed one
    assert [f.cause for f in result.findings] == [cause]


def test_a_refused_wheel_with_nothing_shown_of_the_machine_stays_uncertain() -> None:
    result = explain_text(_REFUSED)
    assert _top(_REFUSED) == ("platform-unsupported", "wheel-not-supported-here")
    assert result.uncertain
    assert "python-unsupported" in result.alternatives


def test_pip_show_output_states_what_is_installed() -> None:
    # https://github.com/OCR-D/ocrd_all/issues/220
    text = (
        "(headless-tf1) root@5e85f82cd11c:/data# pip show tensorflow-gpu\n"
        "Name: tensorflow-gpu\n"
        "Version: 1.15.4\n"
        "(headless-tf1) root@5e85f82cd11c:/data# pip show tensorflow\n"
        "Name: tensorflow\n"
        "Version: 1.15.4\n"
    )
    assert _top(text) == ("duplicate-distribution", "versions-two-tensorflows")
    # a name whose next line is not its version states nothing
    assert not explain_text("Name: tensorflow-gpu\nSummary: x\nName: tensorflow\n").findings


@pytest.mark.parametrize(
    ("text", "detector"),
    [
        # https://github.com/tensorflow/models/issues/2083 (Windows in Chinese)
        ("ImportError: DLL load failed: 找不到指定的模块。\n", "windows-dll-not-found"),
        # https://cnblogs.com/komean/p/10518813.html (cut after the words "DLL initialisation")
        ("ImportError: DLL load failed: 动态链接库(DLL)\n", "windows-dll-init-failed"),
    ],
)
def test_windows_messages_in_the_system_s_language_are_read(text: str, detector: str) -> None:
    assert _top(text) == ("platform-unsupported", detector)


# The wheel's tags are read as pip reads them: cp37-abi3 is CPython 3.7 and later, py3 any
# Python 3, and a platform family that does not name the CPU (Windows, macOS) does not show that
# the machine fits the wheel (a 32-bit Python refuses win_amd64, an arm64 Python x86_64 wheels).
@pytest.mark.parametrize(
    ("text", "cause", "detector"),
    [
        # an abi3 wheel for CPython 3.7+ on Python 3.11: the Python fits, a Linux prompt does not
        (
            "Python 3.11.4\n(venv) user@box:~$ pip install tensorflow_io_gcs_filesystem-0.37.1"
            "-cp37-abi3-macosx_12_0_arm64.whl\nERROR: tensorflow_io_gcs_filesystem-0.37.1-cp37"
            "-abi3-macosx_12_0_arm64.whl is not a supported wheel on this platform.\n",
            "platform-unsupported",
            "wheel-for-another-platform",
        ),
        # a pure wheel (any platform) for Python 3 on Python 2.7: only its Python tag can misfit
        (
            "$ pip install keras-3.0.0-py3-none-any.whl\nERROR: keras-3.0.0-py3-none-any.whl is "
            "not a supported wheel on this platform.\n$ python -V\nPython 2.7.18\n",
            "python-unsupported",
            "wheel-for-another-python",
        ),
        # a 32-bit wheel on Windows, where Python 3.10 is shown: the platform tag misfits
        (
            "C:\\Users\\me> pip install tensorflow-2.10.0-cp310-cp310-win32.whl\nERROR: "
            "tensorflow-2.10.0-cp310-cp310-win32.whl is not a supported wheel on this platform.\n"
            "C:\\Users\\me> python --version\nPython 3.10.1\n",
            "platform-unsupported",
            "wheel-for-another-platform",
        ),
    ],
)
def test_a_refused_wheel_is_placed_by_its_tags_as_pip_reads_them(
    text: str, cause: str, detector: str
) -> None:
    _assert_placed(text, cause, detector)


@pytest.mark.parametrize(
    "text",
    [
        # Python 3.6 and an aarch64 board are shown, the wheel is cp36 linux_aarch64: both fit, so
        # neither tag is what the text shows to misfit (an old pip, pip of another Python)
        "nvidia@jetson:~$ python3 --version\nPython 3.6.9\nnvidia@jetson:~$ pip3 install "
        "tensorflow-2.3.1-cp36-cp36m-linux_aarch64.whl\nERROR: tensorflow-2.3.1-cp36-cp36m-"
        "linux_aarch64.whl is not a supported wheel on this platform.\nnvidia@jetson:~$ uname -m\n"
        "aarch64\n",
        # a win_amd64 wheel on Windows, no Python shown: a 32-bit Python refuses it as well as
        # another Python minor does
        "PS C:\\Users\\me> py -m pip install .\\tensorflow-2.10.0-cp310-cp310-win_amd64.whl\n"
        "ERROR: tensorflow-2.10.0-cp310-cp310-win_amd64.whl is not a supported wheel on this "
        "platform.\n",
        # an x86_64 wheel on a Mac: an arm64 Python refuses it as well as another Python minor
        "me@MacBook-Pro ~ % pip install /Users/me/Downloads/tensorflow-2.15.0-cp311-cp311-"
        "macosx_10_15_x86_64.whl\nERROR: tensorflow-2.15.0-cp311-cp311-macosx_10_15_x86_64.whl "
        "is not a supported wheel on this platform.\n",
    ],
)
def test_a_refused_wheel_whose_tags_the_text_does_not_contradict_stays_uncertain(
    text: str,
) -> None:
    result = explain_text(text)
    assert _top(text) == ("platform-unsupported", "wheel-not-supported-here")
    assert result.uncertain


def test_what_the_text_shows_of_the_machine_is_read_around_the_refused_wheel() -> None:
    # the Windows prompt of the pip command, then a long log after pip's message
    text = (
        "C:\\Users\\me\\proj> pip install tensorflow-2.10.0-cp310-cp310-manylinux2014_x86_64.whl\n"
        "ERROR: tensorflow-2.10.0-cp310-cp310-manylinux2014_x86_64.whl is not a supported wheel "
        "on this platform.\n" + "".join(f"  step {n}: copying data\n" for n in range(120))
    )
    assert _top(text) == ("platform-unsupported", "wheel-for-another-platform")
    assert not explain_text(text).uncertain


def test_a_warning_logged_right_after_a_traceback_is_not_part_of_its_message() -> None:
    # the lines after an exception are read as its message; a warning there is a line of its own
    text = (
        "Traceback (most recent call last):\n"
        '  File "train.py", line 1, in <module>\n'
        "    import tensorflow_hub as hub\n"
        "ModuleNotFoundError: No module named 'tensorflow_hub'\n"
        "Num GPUs Available:  0\n"
    )
    assert [f.cause for f in explain_text(text).findings] == ["not-installed"]
    assert _top("Num GPUs Available:  0\n") == ("cuda-mismatch", "tf-lists-no-gpu")


# https://github.com/tensorflow/tensorflow/issues/60172 (the issue template's fields, then output)
_NO_GPU_OUTPUT = (
    "Num GPUs Available:  0\n[PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]\n"
)


@pytest.mark.parametrize(
    ("shown", "cause", "detector", "uncertain"),
    [
        (
            "### Tensorflow Version\n\ntf 2.12.0\n\n### OS Platform and Distribution\n\nWindows 11\n",
            "platform-unsupported",
            "no-gpu-on-this-platform",
            False,
        ),
        # 2.10 still had GPU support on native Windows: the CUDA set-up is the likelier cause
        (
            "### Tensorflow Version\n\ntf 2.10.1\n\n### OS Platform and Distribution\n\nWindows 11\n",
            "cuda-mismatch",
            "tf-lists-no-gpu",
            True,
        ),
        (
            "OS Platform and Distribution: macOS 13.4 (M1)\n",
            "platform-unsupported",
            "no-gpu-on-this-platform",
            False,
        ),
        # WSL2 on Windows is a Linux, where TensorFlow has GPU support
        (
            "TensorFlow version: 2.15.0\nOS Platform and Distribution: Windows 11, WSL2 Ubuntu\n",
            "cuda-mismatch",
            "tf-lists-no-gpu",
            True,
        ),
    ],
)
def test_no_gpu_listed_on_an_os_without_tensorflow_gpu_support_is_the_platform(
    shown: str, cause: str, detector: str, uncertain: bool
) -> None:
    result = explain_text(shown + _NO_GPU_OUTPUT)
    assert _top(shown + _NO_GPU_OUTPUT) == (cause, detector)
    assert result.uncertain is uncertain


@pytest.mark.parametrize(
    "pasted",
    [
        "{message}",
        "```\n{message}\n```",
        "```python\n\n{message}\n\n```\n",
        "~~~\n{message}\n~~~",
    ],
)
def test_a_message_alone_in_a_code_block_is_still_the_message_alone(pasted: str) -> None:
    """Signatures read a bare message only when it stands alone (no traceback naming another
    library); the blank lines and Markdown fences of a paste do not count as text around it.
    The message is quoted from https://github.com/deepfakes/faceswap/issues/261."""
    message = "ImportError: No module named 'theano'"
    assert _top(pasted.format(message=message)) == (
        "backend-misconfigured",
        "theano-backend-not-installed",
    )
    # a line of prose before it is text around it: the message is no longer alone
    assert not explain_text(f"It fails in my project:\n{message}").findings


@pytest.mark.parametrize(
    "capture",
    [
        "real_tf214_keras3",
        "real_tf221_keras215",
        "real_tf221_transformers",
        "real_tf221_mixed_tf_keras_in_keras3",
    ],
)
def test_a_traceback_whose_line_breaks_were_lost_is_read_as_its_lines(capture: str) -> None:
    """A traceback pasted where its line breaks are lost (a web page's comment, a chat message):
    the real capture collapsed into one line gives the diagnosis of the capture itself, read
    from the same frames, with the error line on line 1."""
    text = _capture(capture)
    collapsed = " ".join(line.strip() for line in text.splitlines() if line.strip())
    assert "\n" not in collapsed and "Traceback (most recent call last)" in collapsed
    assert _top(collapsed) == _top(text)
    result = explain_text(collapsed)
    assert [e.line_no for e in result.error_lines] == [1] * len(result.error_lines)
    # a message of several lines is one line now: it starts as the capture's error line
    assert result.error_lines[-1].text.startswith(explain_text(text).error_lines[-1].text)


def test_one_line_that_merely_mentions_a_traceback_is_not_split() -> None:
    """Only a line holding a traceback's start and its frames is read as a collapsed traceback;
    prose that mentions one stays one line."""
    from tfdoctor.explain.lines import collapsed_lines

    prose = (
        "When I run it I get the usual Traceback (most recent call last) and then a long list "
        "of frames that I cannot paste here because the output is too long for the forum."
    )
    assert collapsed_lines(prose) is None
    assert collapsed_lines('Traceback (most recent call last): File "a.py", line 1') is None


@pytest.mark.parametrize(
    "prefix",
    [
        "2024-05-02T10:41:17.4263519Z ",  # a GitHub Actions log
        "2024-05-02T10:41:17.426351923Z stderr F ",  # kubectl logs of a container (CRI)
        "trainer-1  | ",  # docker compose
        "web_1      | ",  # docker-compose v1
        "   12.3s    41 ",  # a Kaggle notebook's log
    ],
)
def test_a_log_that_prefixes_every_line_is_read_as_its_lines(prefix: str) -> None:
    """CI, container and notebook-service logs put a time stamp or a service name before every
    line; the real capture so prefixed gives the capture's own diagnosis and evidence."""
    text = _capture("real_tf214_keras3")
    logged = "".join(prefix + line for line in text.splitlines(keepends=True))
    assert _top(logged) == _top(text)
    assert explain_text(logged).findings[0].evidence == explain_text(text).findings[0].evidence
