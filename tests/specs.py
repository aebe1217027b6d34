"""The real environments the tests diagnose: healthy bases and the broken states users meet."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from envs import EnvSpec, install, python_of, replace_text, site_packages, uv

# -- healthy bases ----------------------------------------------------------------------------
TF215 = EnvSpec("tf215", packages=("tensorflow-cpu==2.15.1",))
TF221 = EnvSpec("tf221", packages=("tensorflow-cpu==2.21.0",))
TF221_PY312 = EnvSpec("tf221-py312", python="3.12", packages=("tensorflow-cpu==2.21.0",))
TF221_PY313 = EnvSpec("tf221-py313", python="3.13", packages=("tensorflow-cpu==2.21.0",))
TF221_LEGACY = EnvSpec("tf221-legacy", base=TF221, no_deps=("tf-keras==2.21.0",))
# tf-keras declares `tensorflow`, so installing it with its dependencies beside tensorflow-cpu
# pulls in a second TensorFlow distribution that writes into the same folder.
TF221_TFKERAS_PULLS_TF = EnvSpec("tf221-tfkeras-deps", base=TF221, with_deps=("tf-keras==2.21.0",))
KERAS_ONLY = EnvSpec("keras-only", packages=("keras==3.15.1",))
# Keras 2 without TensorFlow: lint assumes the TensorFlow of its minor
KERAS2_ONLY = EnvSpec("keras2-only", packages=("keras==2.15.0",))
# tf-keras without the TensorFlow it declares (installed with --no-deps)
TFKERAS_ONLY = EnvSpec("tfkeras-only", no_deps=("tf-keras==2.15.1",))
# a bare Python 3.7: nothing installed, and TensorFlow 2.11 is the newest with wheels for it
PY37 = EnvSpec("py37", python="3.7")


# -- broken states, each made the way users make them -------------------------------------------
def _tilde_leftover(env: Path) -> None:
    # What an interrupted `pip install -U` leaves: the old package renamed to ~name beside the new.
    site = site_packages(env)
    os.system(f"cp -al '{site / 'tensorflow'}' '{site / '~ensorflow'}'")


def _delete_keras_layers(env: Path) -> None:
    shutil.rmtree(site_packages(env) / "keras" / "src" / "layers")


def _second_numpy_metadata(env: Path) -> None:
    # Two metadata folders for one project, as left by an interrupted upgrade.
    site = site_packages(env)
    current = next(site.glob("numpy-*.dist-info"))
    stale = site / "numpy-1.25.2.dist-info"
    shutil.copytree(current, stale, copy_function=shutil.copy2)
    meta = (stale / "METADATA").read_text(encoding="utf-8")
    version_line = next(line for line in meta.splitlines() if line.startswith("Version:"))
    replace_text(stale / "METADATA", meta.replace(version_line, "Version: 1.25.2", 1))


def _conda_meta(env: Path) -> None:
    # conda records beside pip-installed TensorFlow (conda cannot be installed from the registries
    # reachable here, so its records are written as conda writes them).
    meta = env / "conda-meta"
    meta.mkdir()
    records = {
        "python-3.11.7-hab00c5b_1_cpython.json": {
            "name": "python",
            "version": "3.11.7",
            "build": "hab00c5b_1_cpython",
            "channel": "https://conda.anaconda.org/conda-forge/linux-64",
        },
        "numpy-1.26.4-py311h64a7726_0.json": {
            "name": "numpy",
            "version": "1.26.4",
            "build": "py311h64a7726_0",
            "channel": "https://conda.anaconda.org/conda-forge/linux-64",
        },
    }
    for name, record in records.items():
        record.update(
            {"build_number": 0, "files": [], "depends": [], "requested_spec": record["name"]}
        )
        (meta / name).write_text(json.dumps(record), encoding="utf-8")
    (meta / "history").write_text(
        "==> 2026-11-01 10:00:00 <==\n# cmd: conda create -n tf python=3.11 numpy\n"
    )


TF215_KERAS3 = EnvSpec("tf215-keras3", base=TF215, with_deps=("keras==3.15.1",))
# TensorFlow 2.14 after `pip install -U keras`: Keras 3 (with its dependencies) over keras 2.14.
TF214 = EnvSpec("tf214", packages=("tensorflow-cpu==2.14.1",))
TF214_KERAS3 = EnvSpec("tf214-keras3", base=TF214, with_deps=("keras==3.15.1",))
# A second TensorFlow distribution of another release (with its dependencies) written over the
# first one's folder: `pip install tensorflow` where tensorflow-cpu was installed.
TF215_PLUS_TF221 = EnvSpec("tf215-plus-tf221", base=TF215, with_deps=("tensorflow==2.21.0",))
TF221_KERAS2 = EnvSpec("tf221-keras2", base=TF221, no_deps=("keras==2.15.0",))
# a Keras 2 minor that the matrix never ran beside TensorFlow 2.21 (it ran 2.15)
TF221_KERAS214 = EnvSpec("tf221-keras214", base=TF221, no_deps=("keras==2.14.0",))
TF221_TFKERAS220 = EnvSpec("tf221-tfkeras220", base=TF221, no_deps=("tf-keras==2.20.1",))
TF215_NUMPY2 = EnvSpec("tf215-numpy2", base=TF215, no_deps=("numpy==2.1.3",))
TF215_PROTOBUF5 = EnvSpec("tf215-protobuf5", base=TF215, no_deps=("protobuf==5.29.3",))
TF215_TENSORBOARD = EnvSpec("tf215-tensorboard214", base=TF215, no_deps=("tensorboard==2.14.1",))
TF221_PLUS_TENSORFLOW = EnvSpec(
    "tf221-plus-tensorflow", base=TF221, no_deps=("tensorflow==2.21.0",)
)
TF221_KERAS_NIGHTLY = EnvSpec(
    "tf221-keras-nightly", base=TF221, no_deps=("keras-nightly==3.16.0.dev2026102704",)
)
# `pip install tensorflow-cpu` (a newer release, with its dependencies) where tensorflow was.
TF218 = EnvSpec("tf218", packages=("tensorflow==2.18.1",))
TF218_PLUS_CPU219 = EnvSpec("tf218-plus-cpu219", base=TF218, with_deps=("tensorflow-cpu==2.19.1",))
# tf-keras with its dependencies beside tensorflow-cpu 2.18: it pulls tensorflow 2.21 (and the
# protobuf that one wants) into the same folder.
TF218_CPU = EnvSpec("tf218-cpu", packages=("tensorflow-cpu==2.18.1",))
TF218_CPU_TFKERAS = EnvSpec("tf218-cpu-tfkeras", base=TF218_CPU, with_deps=("tf-keras==2.21.0",))
# `pip install -U tensorflow-cpu` from 2.15 to 2.21 (with its dependencies): TensorFlow 2.21
# declares neither tensorflow-estimator nor tensorboard, so 2.15's copies stay behind.
TF215_UPGRADED_TF221 = EnvSpec(
    "tf215-upgraded-221", base=TF215, with_deps=("tensorflow-cpu==2.21.0",)
)
# tensorflow and tensorflow-cpu together, then one of them uninstalled: the other's files that
# the uninstall took are gone.
TF221_PLUS_TENSORFLOW_UNINSTALLED = EnvSpec(
    "tf221-plus-tensorflow-uninstalled", base=TF221_PLUS_TENSORFLOW, uninstall=("tensorflow",)
)
TF215_TILDE = EnvSpec("tf215-tilde", base=TF215, mutations=(("tilde", _tilde_leftover),))
TF221_NO_ABSL = EnvSpec("tf221-no-absl", base=TF221, uninstall=("absl-py",))
TF221_TEXT215 = EnvSpec("tf221-text215", base=TF221, no_deps=("tensorflow-text==2.15.0",))
TF221_KERAS_DAMAGED = EnvSpec(
    "tf221-keras-damaged", base=TF221, mutations=(("rm-keras-layers", _delete_keras_layers),)
)
TF215_TWO_NUMPY = EnvSpec(
    "tf215-two-numpy", base=TF215, mutations=(("second-numpy-metadata", _second_numpy_metadata),)
)
TF215_CONDA = EnvSpec("tf215-conda", base=TF215, mutations=(("conda-meta", _conda_meta),))

# pytest-cov requires coverage[toml]; coverage's extra needs tomli before Python 3.11.
PY310_COV_NO_TOMLI = EnvSpec(
    "py310-cov-no-tomli",
    python="3.10",
    packages=("pytest-cov==6.0.0", "pytest==8.3.4", "coverage==7.6.10"),
    uninstall=("tomli",),
)
PY311_COV = EnvSpec(
    "py311-cov", python="3.11", packages=("pytest-cov==6.0.0", "pytest==8.3.4", "coverage==7.6.10")
)


def _tf215_for_python311(env: Path) -> None:
    # `pip/uv install --target` with another --python-version writes wheels built for Python 3.11
    # into this Python 3.12 environment: TensorFlow 2.15 has no build for 3.12.
    subprocess.run(
        [
            uv(),
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--python",
            python_of(env),
            "--python-version",
            "3.11",
            "--target",
            str(site_packages(env)),
            "tensorflow-cpu==2.15.1",
        ],
        check=True,
    )
    # ... and its requirements as a user would then add them, for this Python.
    meta = next(site_packages(env).glob("tensorflow_cpu-*.dist-info")) / "METADATA"
    requires = [
        line.split(":", 1)[1].strip()
        for line in meta.read_text(encoding="utf-8").splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    install(env, requires)


def _keras_for_python311(env: Path) -> None:
    # keras 3.15.1 (Requires-Python >=3.11) put into a Python 3.9 environment the way uv lets a
    # user do it: resolved for another Python
    install(env, ["keras==3.15.1"], "--no-deps", "--python-version", "3.11")


# keras 3.10.0 (the newest for Python 3.9) with its dependencies, then keras 3.15.1 over it
PY39_KERAS_FOR_311 = EnvSpec(
    "py39-keras-for-311",
    python="3.9",
    packages=("keras==3.10.0",),
    mutations=(("keras-3.15.1-for-python-3.11", _keras_for_python311),),
)
PY312_NUMPY = EnvSpec("py312-numpy", python="3.12", packages=("numpy==1.26.4",))
PY312_TF215_FOR_311 = EnvSpec(
    "py312-tf215-for-311",
    base=PY312_NUMPY,
    mutations=(("tf215-cp311-target-with-deps", _tf215_for_python311),),
)
# One CUDA wheel of another release beside tensorflow-cpu, which is built without CUDA: TensorFlow
# never loads it (TFD605), and the `and-cuda` pins of tensorflow-cpu do not apply.
TF221_CUDA_RUNTIME = EnvSpec(
    "tf221-cuda-runtime", base=TF221, no_deps=("nvidia-cuda-runtime-cu12==12.1.105",)
)
# The same CUDA wheel beside plain tensorflow, a CUDA build (its build_info.py says
# is_cuda_build True): the `and-cuda` pins apply, unlike beside tensorflow-cpu (TFD605).
TF221_GPU_CUDA_RUNTIME = EnvSpec(
    "tf221-gpu-cuda-runtime",
    packages=("tensorflow==2.21.0",),
    no_deps=("nvidia-cuda-runtime-cu12==12.1.105",),
)
# transformers 4.38+ imports tf_keras for its TensorFlow models and refuses Keras 3.
TF221_TRANSFORMERS = EnvSpec("tf221-transformers", base=TF221, with_deps=("transformers==4.46.3",))


def _unreadable_numpy_metadata(env: Path) -> None:
    # A METADATA that cannot be read (a disk error, a botched manual copy): no installer makes
    # this, so the file is replaced by a folder of the same name, which no read can open.
    meta = next(site_packages(env).glob("numpy-*.dist-info")) / "METADATA"
    meta.unlink()
    meta.mkdir()


TF215_UNREADABLE_METADATA = EnvSpec(
    "tf215-unreadable-metadata",
    base=TF215,
    mutations=(("numpy-metadata-dir", _unreadable_numpy_metadata),),
)

# -- for tfdoctor fix ---------------------------------------------------------------------------
# pip in the environment, for the fallback when uv is absent.
TF215_NUMPY2_PIP = EnvSpec("tf215-numpy2-pip", base=TF215_NUMPY2, no_deps=("pip==24.3.1",))

# -- notebooks ----------------------------------------------------------------------------------
# The classic broken environment with a Jupyter kernel in it (`%pip install ipykernel`), and
# tfdoctor's own requirements (tfdoctor itself comes from the source tree on the kernel's path).
TF215_KERAS3_KERNEL = EnvSpec(
    "tf215-keras3-kernel", base=TF215_KERAS3, with_deps=("ipykernel==7.4.0", "pyyaml==6.0.4")
)

# -- whole-environment solves (tfdoctor fix, tests/fix/test_solve.py) ------------------------------
# `pip install tensorflow==2.15.1`, then `pip install jax`: jax 0.10.2 upgrades NumPy to 2 and
# ml-dtypes to 0.6, and `import tensorflow` fails.
TF215_JAX = EnvSpec("tf215-jax", base=TF215, with_deps=("jax==0.10.2",))
# The CPU build of torch (a local wheel: the PyTorch index is not reachable here).
TORCH_CPU_WHEELS = "/opt/wheels"


def _torch_cpu_then_numpy2(env: Path) -> None:
    # torch from the CPU wheel, then `pip install -U numpy`: NumPy 2 under TensorFlow 2.15.
    install(env, ["torch==2.13.0+cpu"], "--find-links", TORCH_CPU_WHEELS)
    install(env, ["numpy==2.1.3"], "--no-deps")


TF215_TORCH_NUMPY2 = EnvSpec(
    "tf215-torch-numpy2", base=TF215, mutations=(("torch-cpu-numpy2", _torch_cpu_then_numpy2),)
)
# jax 0.4.30 beside TensorFlow 2.15, then `pip install -U ml-dtypes`: ml-dtypes 0.5 is outside
# what TensorFlow 2.15 declares (~=0.3.1), while jax accepts either.
TF215_JAX_MLDTYPES = EnvSpec(
    "tf215-jax-mldtypes", base=TF215, with_deps=("jax==0.4.30",), no_deps=("ml-dtypes==0.5.1",)
)


def _jaxlib_from_a_wheel_file(env: Path) -> None:
    # jaxlib 0.4.30 from a downloaded wheel file (as CUDA builds of jaxlib are installed): the
    # package index cannot give it back (direct_url.json), so a whole solve keeps it as it is.
    folder = env.parent / "downloads"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "--dest", str(folder), "jaxlib==0.4.30"],
        check=True, capture_output=True,
    )  # fmt: skip
    wheel = next(folder.glob("jaxlib-0.4.30-*.whl"))
    install(env, [str(wheel)], "--no-deps")


# TF 2.15.1 + jax 0.10.2 (NumPy 2), with jaxlib 0.4.30 from a wheel file: keeping TensorFlow
# moves jax to a release for NumPy 1 that this jaxlib cannot serve (jax checks it on import).
TF215_JAX_JAXLIB_FILE = EnvSpec(
    "tf215-jax-jaxlib-file",
    base=TF215_JAX,
    mutations=(("jaxlib-0.4.30-file", _jaxlib_from_a_wheel_file),),
)
# TF 2.15.1 + `pip install "jax[k8s]"`: the extra is recorded nowhere on disk, only its package
# (kubernetes) shows that it was asked for.
TF215_JAX_K8S = EnvSpec("tf215-jax-k8s", base=TF215_JAX, with_deps=("jax[k8s]==0.10.2",))
