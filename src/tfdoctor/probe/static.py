# Runs INSIDE the target interpreter: standard library only, Python 3.7+, no annotations,
# never imports an installed package of the target. Prints one JSON document between markers.
# Start-up time matters (the probe is most of `tfdoctor check`): `json` and `re` cost ~14 ms to
# import, so the output is written by dump() below and json is imported only to read JSON files.
import os
import re
import site
import sys
import sysconfig
from stat import S_ISREG

# Distributions whose files are checked one folder at a time (the TensorFlow stack).
STACK_PREFIXES = ("tensorflow", "tf-", "intel-tensorflow", "keras", "nvidia-", "tensorboard")
STACK_NAMES = frozenset(
    (
        "numpy",
        "protobuf",
        "ml-dtypes",
        "h5py",
        "jax",
        "jaxlib",
        "torch",
        "transformers",
        "optree",
        "namex",
        "wrapt",
        "absl-py",
    )
)
FULL_SCAN = os.environ.get("TFDOCTOR_FULL_SCAN") == "1"
IMPORT_NAMES = ("tensorflow", "keras", "tf_keras", "numpy", "google.protobuf")
ENV_VARS = (
    "KERAS_BACKEND",
    "KERAS_HOME",
    "TF_USE_LEGACY_KERAS",
    "PYTHONPATH",
    "PYTHONNOUSERSITE",
    "PYTHONHOME",
    "PYTHONSAFEPATH",
    "CUDA_VISIBLE_DEVICES",
    "LD_LIBRARY_PATH",
    "TF_CPP_MIN_LOG_LEVEL",
    "CONDA_PREFIX",
    "CONDA_DEFAULT_ENV",
    "VIRTUAL_ENV",
    "XLA_FLAGS",
    "TF_ENABLE_ONEDNN_OPTS",
)


QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def norm(name):
    # PEP 503, as tfdoctor.pep508.canonical: a copy, as the probe imports nothing of tfdoctor
    name = name.lower().replace("_", "-").replace(".", "-")
    while "--" in name:
        name = name.replace("--", "-")
    return name


def is_stack(name):
    return name in STACK_NAMES or name.startswith(STACK_PREFIXES)


_ESCAPES = {i: "\\u%04x" % i for i in range(32)}
_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\", 10: "\\n", 13: "\\r", 9: "\\t"})


def quote(text):
    text = text.translate(_ESCAPES)
    if not text.isascii():
        out = []
        for char in text:
            code = ord(char)
            if code < 128:
                out.append(char)
            elif code <= 0xFFFF:
                out.append("\\u%04x" % code)
            else:
                code -= 0x10000
                out.append("\\u%04x\\u%04x" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)))
        text = "".join(out)
    return '"' + text + '"'


def dump(value, out):
    """JSON without the json module (ASCII only, like json.dumps)."""
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(quote(value))
    elif isinstance(value, (int, float)):
        out.append(repr(value))
    elif isinstance(value, dict):
        out.append("{")
        first = True
        for key, item in value.items():
            if not first:
                out.append(",")
            first = False
            out.append(quote(str(key)))
            out.append(":")
            dump(item, out)
        out.append("}")
    else:
        out.append("[")
        first = True
        for item in value:
            if not first:
                out.append(",")
            first = False
            dump(item, out)
        out.append("]")


def load_json(text):
    import json

    return json.loads(text)


READ_LIMIT = 64 << 20  # TensorFlow's RECORD is ~2 MB: anything this large is not metadata


def read_text(path, limit=READ_LIMIT):
    """The file decoded as UTF-8 with universal newlines (as open(path, "r") would give it, at
    a fraction of the cost: no text layer), or None when it cannot be read, is not a regular
    file (a FIFO, /dev/zero: never waited on or read) or is larger than ``limit`` bytes
    (-1: READ_LIMIT) when the whole file is wanted."""
    if limit < 0:
        limit = READ_LIMIT
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO does not block
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
        if not S_ISREG(info.st_mode) or (limit == READ_LIMIT and info.st_size > limit):
            return None
        chunks = []
        left = limit
        while left > 0:  # os.read may return less than asked (/proc files do)
            more = os.read(fd, min(left, 1 << 22))
            if not more:
                break
            chunks.append(more)
            left -= len(more)
        data = b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data.decode("utf-8", "replace")


def read_listed(folder, listing, name, limit=-1):
    """read_text() of a file known to be absent when it is not in the folder's listing."""
    if name not in listing:
        return None
    return read_text(os.path.join(folder, name), limit)


def parse_headers(text):
    headers = {}
    # Only the header block: the description after the first blank line can be ~100 kB.
    for line in text.partition("\n\n")[0].splitlines():
        if not line.strip():
            break
        if line[:1] in (" ", "\t") or ":" not in line:
            continue
        key, _, value = line.partition(":")
        headers.setdefault(key.strip().lower(), []).append(value.strip())
    return headers


def real(path):
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return path


def classify_path(entry, ctx):
    if entry == "":
        return "working-directory"
    resolved = real(entry)
    if resolved == ctx["cwd"] and ctx["first"] is entry:
        return "working-directory"
    if resolved in ctx["pythonpath"]:
        return "pythonpath"
    if resolved in ctx["stdlib"] or entry.endswith(".zip"):
        return "stdlib"
    if resolved in ctx["user_site"]:
        return "user-site"
    if resolved in ctx["site"]:
        return "site-packages"
    if resolved in ctx["pth"]:
        return "pth:" + ctx["pth"][resolved]
    return "other"


def pth_entries(site_dirs):
    found = {}
    for directory in site_dirs:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            if not name.endswith(".pth"):
                continue
            text = read_text(os.path.join(directory, name), 65536) or ""
            for line in text.splitlines():
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                if line.startswith(("import ", "import\t")):
                    # `import sys; sys.path.insert(0, "/x")`: the folders it names (read, never run)
                    for quoted in QUOTED.findall(line):
                        path = quoted[1:-1]
                        if os.path.isabs(path) and os.path.isdir(path):
                            found.setdefault(real(path), name)
                    continue
                found.setdefault(real(os.path.join(directory, line)), name)
    return found


def pth_files(site_dirs):
    out = []
    for directory in site_dirs:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            if name.endswith(".pth"):
                text = read_text(os.path.join(directory, name), 4096) or ""
                out.append({"path": os.path.join(directory, name), "head": text[:400]})
    return out


def pythonpath_sources(prefix):
    """Lines of the environment's activate scripts, conda activate.d scripts and Jupyter kernel
    specs that set PYTHONPATH: where a shadowing entry comes from."""
    candidates = [os.path.join(prefix, "bin", "activate")]
    for folder in (
        os.path.join(prefix, "etc", "conda", "activate.d"),
        os.path.join(prefix, "share", "jupyter", "kernels"),
    ):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isdir(path):
                path = os.path.join(path, "kernel.json")
            candidates.append(path)
    out = []
    for path in candidates:
        text = read_text(path, 65536) or ""
        for line in text.splitlines():
            if "PYTHONPATH" in line and not line.lstrip().startswith("#"):
                out.append({"path": path, "line": line.strip()[:400]})
    return out


SKIP_TOP = (".dist-info", ".egg-info", ".data")


def compiled_files(lines):
    """The compiled libraries a RECORD lists (.so, .so.2, .pyd, .dylib): one that is gone
    breaks `import` with a loader error, so they are checked by default."""
    out = []
    for line in lines:
        if ".so" not in line and ".pyd" not in line and ".dylib" not in line:
            continue
        path = line[1:].partition('"')[0] if line[:1] == '"' else line.partition(",")[0]
        name = path.rpartition("/")[2]
        if name.endswith((".so", ".pyd", ".dylib")) or ".so." in name:
            out.append(path)
    return out


def record_facts(meta_dir, location, stack, full=False):
    """Top-level names written according to RECORD, and for stack packages what is missing.

    By default every folder and every top-level file of a stack package is checked: what an
    interrupted install or a deletion removes; with ``full`` every file is. RECORD of TensorFlow
    has ~16,000 lines, so the loop does as little as it can per line.
    """
    text = read_text(os.path.join(meta_dir, "RECORD"))
    base = location
    if text is None:
        text = read_text(os.path.join(meta_dir, "installed-files.txt"))
        base = meta_dir
    if text is None:
        return None, None, [], 0, 0
    if "\\" in text:
        text = text.replace("\\", "/")
    lines = text.split("\n")
    if '"' in text:  # paths with commas are quoted (rare): the slow, careful way
        paths = [
            line[1:].partition('"')[0] if line[:1] == '"' else line.partition(",")[0]
            for line in lines
        ]
        folders = {path.rpartition("/")[0] for path in paths}
        top_files = [path for path in paths if path and "/" not in path]
    else:
        # The hash and size fields hold no "/", so the folder is what precedes the last one.
        folders = {line.rpartition("/")[0] for line in lines}
        top_files = [line.partition(",")[0] for line in lines if line and "/" not in line]
        paths = [line.partition(",")[0] for line in lines] if full else []
    folders.discard("")
    all_files = paths if full else []
    tops = set()
    packages = set()
    for folder in folders:
        first = folder.partition("/")[0]
        if first not in ("..", "__pycache__", "") and not first.endswith(SKIP_TOP):
            tops.add(first)
    for name in top_files:
        stem = name.split(".", 1)[0]
        if name.endswith(".pth"):
            tops.add("*" + name)
        elif name.endswith((".py", ".so", ".pyd")):
            tops.add(stem)
            packages.add(stem)
        elif "." in name:
            tops.add(stem)
    # A regular package is a top-level folder with an __init__.py in RECORD.
    lines = "\n" + text
    for top in tops:
        if ("\n" + top + "/__init__.py,") in lines:
            packages.add(top)
    missing = []
    missing_count = 0
    checked = 0
    if stack:
        if full:
            candidates = [p for p in all_files if p and not p.endswith(".pyc")]
        else:
            # Folders down to four levels (keras/src/layers/core): what deletions and interrupted
            # installs remove; deeper ones only with the full scan.
            candidates = (
                sorted(f for f in folders if f.count("/") < 4 and not f.endswith("__pycache__"))
                + top_files
                + compiled_files(text.split("\n"))
            )
        for candidate in candidates:
            first = candidate.partition("/")[0]
            if first == ".." or first.endswith(SKIP_TOP):
                continue
            checked += 1
            if not os.path.exists(os.path.join(base, candidate)):
                missing_count += 1
                if len(missing) < 5:
                    missing.append(candidate)
    return sorted(tops), sorted(packages), missing, missing_count, checked


def distributions(entries):
    dists = []
    seen_dirs = set()
    for entry, origin in entries:
        location = entry or os.getcwd()
        key = real(location)
        if key in seen_dirs or not os.path.isdir(location):
            continue
        seen_dirs.add(key)
        try:
            names = sorted(os.listdir(location))
        except OSError:
            continue
        for name in names:
            if not (name.endswith(".dist-info") or name.endswith(".egg-info")):
                continue
            meta_dir = os.path.join(location, name)
            if os.path.isdir(meta_dir):
                meta_file = os.path.join(
                    meta_dir, "METADATA" if name.endswith(".dist-info") else "PKG-INFO"
                )
            else:
                meta_file = meta_dir
            text = read_text(meta_file, 262144)
            record = {"location": location, "origin": origin, "metadata_dir": meta_dir}
            if text is None:
                record.update(
                    {
                        "name": name.split("-", 1)[0],
                        "version": "",
                        "error": "unreadable metadata: " + meta_file,
                    }
                )
                dists.append(record)
                continue
            headers = parse_headers(text)
            dist_name = (headers.get("name") or [name.split("-", 1)[0]])[0]
            record["name"] = dist_name
            record["version"] = (headers.get("version") or [""])[0]
            record["requires_dist"] = headers.get("requires-dist", [])
            record["requires_python"] = (headers.get("requires-python") or [""])[0]
            record["provides_extra"] = headers.get("provides-extra", [])
            if os.path.isdir(meta_dir):
                try:  # one listing instead of trying to open files most folders lack
                    present = frozenset(os.listdir(meta_dir))
                except OSError:
                    present = frozenset()

                installer = read_listed(meta_dir, present, "INSTALLER", 200)
                record["installer"] = (installer or "").strip()
                top = read_listed(meta_dir, present, "top_level.txt", 65536)
                record["top_level_txt"] = [t.strip() for t in (top or "").splitlines() if t.strip()]
                wheel = read_listed(meta_dir, present, "WHEEL", 8192) or ""
                record["wheel_tags"] = [
                    line.split(":", 1)[1].strip()
                    for line in wheel.splitlines()
                    if line.startswith("Tag:")
                ]
                direct = read_listed(meta_dir, present, "direct_url.json", 65536)
                if direct:
                    try:
                        record["direct_url"] = load_json(direct)
                    except ValueError:
                        record["direct_url"] = {"unparsed": direct[:200]}
                record["requested"] = "REQUESTED" in present
                stack = is_stack(norm(dist_name))
                tops, packages, missing, missing_count, checked = record_facts(
                    meta_dir, location, stack, FULL_SCAN
                )
                record["record_top_level"] = tops
                record["record_packages"] = packages
                record["record_missing"] = missing
                record["record_missing_count"] = missing_count
                record["record_checked"] = checked
            dists.append(record)
    return dists


def leftovers(site_dirs):
    out = []
    for directory in site_dirs:
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in sorted(names):
            if name.startswith("~"):
                out.append(os.path.join(directory, name))
    return out


def find_spec(name, path=None):
    """importlib.util.find_spec() without importing importlib.util (~7 ms in a fresh
    interpreter): ask the meta path finders in order, as the import system does. A top-level
    name is looked up on USER_PATH (what the user's programs see), not on this probe's own
    isolated sys.path; finding a module never runs it."""
    module = sys.modules.get(name)
    if module is not None and path is None:
        return getattr(module, "__spec__", None)
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is None:
            continue
        search = path
        if search is None and getattr(finder, "__name__", None) == "PathFinder":
            search = USER_PATH
        spec = find(name, search)
        if spec is not None:
            return spec
    return None


def user_site_enabled(environ, prefix):
    """site.ENABLE_USER_SITE as the user's own interpreter computes it (this probe runs with
    -I or -s, which turns it off here)."""
    if environ.get("PYTHONNOUSERSITE"):
        return False
    if hasattr(os, "getuid") and (os.getuid() != os.geteuid() or os.getgid() != os.getegid()):
        return False
    if getattr(sys, "base_prefix", prefix) != prefix:
        cfg = read_text(os.path.join(prefix, "pyvenv.cfg"), 65536) or ""
        for line in cfg.splitlines():
            key, _, value = line.partition("=")
            if key.strip().lower() == "include-system-site-packages":
                return value.strip().lower() == "true"
        return False
    return True


def user_path(environ, user_site, user_enabled, site_dirs):
    """sys.path as `python -c` or `python script.py` sees it in the user's shell: the working
    directory first (unless PYTHONSAFEPATH), then PYTHONPATH, then this isolated interpreter's
    own path with the user site-packages before the site-packages. Only listed and searched,
    never imported from."""
    head = []
    if not (environ.get("PYTHONSAFEPATH") and sys.version_info >= (3, 11)):
        head.append("")
    head.extend(p for p in environ.get("PYTHONPATH", "").split(os.pathsep) if p)
    rest = [p for p in sys.path if p not in head]
    if user_enabled and user_site and os.path.isdir(user_site) and user_site not in rest:
        sites = set(site_dirs)
        at = next((i for i, p in enumerate(rest) if p in sites), len(rest))
        rest.insert(at, user_site)
    return head + rest


USER_PATH = list(sys.path)


def import_origins():
    result = {}
    for name in IMPORT_NAMES:
        try:
            parent_name, _, child = name.rpartition(".")
            if not parent_name:
                spec = find_spec(name)
            else:
                parent = find_spec(parent_name)
                if parent is None or parent.submodule_search_locations is None:
                    result[name] = None
                    continue
                spec = find_spec(name, list(parent.submodule_search_locations))
        except Exception as exc:  # a broken finder must not stop the probe
            result[name] = {"error": type(exc).__name__ + ": " + str(exc)[:300]}
            continue
        if spec is None:
            result[name] = None
            continue
        locations = list(spec.submodule_search_locations or [])
        result[name] = {
            "origin": spec.origin if spec.has_location else None,
            "locations": locations,
            "namespace": spec.origin in (None, "namespace") and bool(locations),
            "loader": type(spec.loader).__name__ if spec.loader is not None else None,
        }
    return result


BUILD_KEYS = ("is_cuda_build", "is_rocm_build", "cuda_version", "cudnn_version")


def build_info_values(text):
    """The ``build_info`` literal of TensorFlow's build_info.py, read with ``ast`` and never run:
    ``collections.OrderedDict([(key, value), ...])`` or a dict literal; None when it has none."""
    import ast  # ~1 ms, and only where TensorFlow is installed

    for node in ast.parse(text).body:
        if not isinstance(node, ast.Assign) or not any(
            isinstance(t, ast.Name) and t.id == "build_info" for t in node.targets
        ):
            continue
        value = node.value
        if isinstance(value, ast.Call):
            func = value.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in ("OrderedDict", "dict") or len(value.args) != 1 or value.keywords:
                return None
            value = value.args[0]
        found = ast.literal_eval(value)
        return dict(found) if isinstance(found, (dict, list, tuple)) else None
    return None


def tensorflow_build(imports):
    """What tensorflow/python/platform/build_info.py of the TensorFlow that `import tensorflow`
    loads says of its build; None without a tensorflow package, ``error`` when the file is
    missing, unreadable or not the literal TensorFlow writes (the build is then unknown)."""
    spec = imports.get("tensorflow")
    if not isinstance(spec, dict) or not spec.get("locations"):
        return None
    path = os.path.join(spec["locations"][0], "python", "platform", "build_info.py")
    out = {"path": path}
    if not os.path.isfile(path):
        out["error"] = "missing"
        return out
    text = read_text(path, 1 << 20)
    if text is None:
        out["error"] = "unreadable"
        return out
    try:
        values = build_info_values(text)
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError) as exc:
        out["error"] = "unparseable: " + type(exc).__name__
        return out
    if values is None:
        out["error"] = "no build_info literal"
        return out
    for key in BUILD_KEYS:
        value = values.get(key)
        if key.startswith("is_"):
            out[key] = value if isinstance(value, bool) else None
        else:
            usable = isinstance(value, (str, int)) and not isinstance(value, bool)
            out[key] = str(value) if usable and value != "" else None
    return out


def keras_config(environ):
    home = environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    path = os.path.join(home, "keras.json")
    out = {"path": path, "exists": os.path.isfile(path)}
    if out["exists"]:
        # Parsed by tfdoctor, not here: importing json would cost the probe ~14 ms.
        text = read_text(path, 65536)
        out["text"] = text if text is not None else ""
        if text is None:
            out["error"] = "cannot be read"
    return out


def conda_records(prefix):
    meta = os.path.join(prefix, "conda-meta")
    if not os.path.isdir(meta):
        return None
    records = []
    for name in sorted(os.listdir(meta)):
        if not name.endswith(".json"):
            continue
        text = read_text(os.path.join(meta, name))
        try:
            if text is None:
                raise ValueError(name)
            data = load_json(text)
            if not isinstance(data, dict):
                raise ValueError(name)
        except (ValueError, RecursionError):
            records.append({"file": name, "error": "unreadable"})
            continue
        records.append(
            {
                "name": data.get("name"),
                "version": data.get("version"),
                "build": data.get("build"),
                "channel": data.get("channel") or data.get("schannel"),
            }
        )
    return records


def cpu_flags():
    text = read_text("/proc/cpuinfo", 65536)
    if not text:
        return None
    for line in text.splitlines():
        if line.startswith("flags") or line.startswith("Features"):
            flags = set(line.split(":", 1)[1].split())
            return sorted(flags & {"avx", "avx2", "avx512f", "fma", "sse4_1", "sse4_2", "asimd"})
    return None


def nvidia_driver():
    text = read_text("/proc/driver/nvidia/version", 4096)
    if not text:
        return None
    words = text.split()
    for i, word in enumerate(words[:-2]):
        if word == "Kernel" and words[i + 1] == "Module":
            return words[i + 2]
    return text.splitlines()[0][:200]


class Platform(object):
    """What the ``platform`` module would say, without importing it on POSIX (it costs ~15 ms,
    a tenth of the whole probe)."""

    def __init__(self):
        self.uname = os.uname() if hasattr(os, "uname") else None
        if self.uname is None:
            import platform

            self.module = platform

    def get(self, name):
        if self.uname is None:
            return getattr(self.module, name)()
        if name == "system":
            return self.uname.sysname
        if name == "machine":
            return self.uname.machine
        if name == "release":
            return self.uname.release
        if name == "version":
            return self.uname.version
        raise KeyError(name)


PLATFORM = Platform()


def python_version():
    info = sys.version_info
    version = "%d.%d.%d" % info[:3]
    if info.releaselevel != "final":
        version += {"alpha": "a", "beta": "b", "candidate": "rc"}.get(info.releaselevel, "") + str(
            info.serial
        )
    return version


def python_implementation():
    name = sys.implementation.name
    return {
        "cpython": "CPython",
        "pypy": "PyPy",
        "ironpython": "IronPython",
        "jython": "Jython",
    }.get(name, name)


def libc():
    try:
        found = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):
        found = None
    if found and " " in found:
        return found.split(" ", 1)
    import platform

    return list(platform.libc_ver())


def marker_environment():
    impl = sys.implementation
    version = impl.version
    impl_version = "%d.%d.%d" % (version.major, version.minor, version.micro)
    if version.releaselevel != "final":
        impl_version += version.releaselevel[0] + str(version.serial)
    return {
        "implementation_name": impl.name,
        "implementation_version": impl_version,
        "os_name": os.name,
        "platform_machine": PLATFORM.get("machine"),
        "platform_release": PLATFORM.get("release"),
        "platform_system": PLATFORM.get("system"),
        "platform_version": PLATFORM.get("version"),
        "python_full_version": python_version(),
        "platform_python_implementation": python_implementation(),
        "python_version": "%d.%d" % sys.version_info[:2],
        "sys_platform": sys.platform,
    }


def dump_all(data):
    out = []
    dump(data, out)
    return out


def main():
    environ = os.environ
    cwd = os.getcwd()
    try:
        paths = sysconfig.get_paths()
    except Exception:
        paths = {}
    stdlib = {real(paths[k]) for k in ("stdlib", "platstdlib") if k in paths}
    stdlib.add(
        real(
            os.path.join(
                sys.base_prefix, "lib", "python%d.%d" % sys.version_info[:2], "lib-dynload"
            )
        )
    )
    site_dirs = []
    try:
        site_dirs = list(site.getsitepackages())
    except AttributeError:
        pass
    for key in ("purelib", "platlib"):
        path = paths.get(key)
        if path and path not in site_dirs:
            site_dirs.append(path)
    try:
        user_site = site.getusersitepackages()
    except AttributeError:
        user_site = getattr(site, "USER_SITE", None)
    user_enabled = user_site_enabled(environ, sys.prefix)
    global USER_PATH
    USER_PATH = user_path(environ, user_site, user_enabled, site_dirs)
    pythonpath = [real(p) for p in environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    all_sites = site_dirs + ([user_site] if user_site else [])
    ctx = {
        "cwd": real(cwd),
        "first": USER_PATH[0] if USER_PATH else None,
        "pythonpath": set(pythonpath),
        "stdlib": stdlib,
        "user_site": {real(user_site)} if user_site else set(),
        "site": {real(p) for p in site_dirs},
        "pth": pth_entries(all_sites),
    }
    path_entries = []
    for entry in USER_PATH:
        path_entries.append(
            {
                "path": entry,
                "resolved": real(entry or cwd),
                "origin": classify_path(entry, ctx),
                "exists": os.path.exists(entry or cwd),
            }
        )
    scan = [(e["path"], e["origin"]) for e in path_entries if e["origin"] != "stdlib"]
    prefix = sys.prefix
    pyvenv = read_text(os.path.join(prefix, "pyvenv.cfg"), 65536)
    imports = import_origins()
    try:
        build = tensorflow_build(imports)
    except Exception as exc:  # a failed read of the build must not stop the probe
        build = {"path": "", "error": type(exc).__name__ + ": " + str(exc)[:200]}
    data = {
        "probe": 1,
        "python": {
            "version": "%d.%d.%d" % sys.version_info[:3],
            "release_level": sys.version_info[3],
            "implementation": python_implementation(),
            "executable": sys.executable,
            "prefix": prefix,
            "base_prefix": getattr(sys, "base_prefix", prefix),
            "is_venv": getattr(sys, "base_prefix", prefix) != prefix,
            "pyvenv_cfg": pyvenv,
            "bits": 64 if sys.maxsize > 2**32 else 32,
        },
        "platform": {
            "system": PLATFORM.get("system"),
            "machine": PLATFORM.get("machine"),
            "sys_platform": sys.platform,
            "release": PLATFORM.get("release"),
            "libc": libc() if sys.platform.startswith("linux") else None,
            "mac_ver": __import__("platform").mac_ver()[0] if sys.platform == "darwin" else None,
            "cpu_flags": cpu_flags(),
            "nvidia_driver": nvidia_driver(),
        },
        "markers": marker_environment(),
        "cwd": cwd,
        "sys_path": path_entries,
        "site_packages": site_dirs,
        "user_site": {
            "path": user_site,
            "enabled": user_enabled,
            "exists": bool(user_site) and os.path.isdir(user_site),
        },
        "pth_files": pth_files(all_sites),
        "pythonpath_sources": pythonpath_sources(prefix),
        "distributions": distributions(scan),
        "leftovers": leftovers([p for p in all_sites if p]),
        "imports": imports,
        "tensorflow_build": build,
        "environ": {k: environ[k] for k in ENV_VARS if k in environ},
        "keras_config": keras_config(environ),
        "conda_meta": conda_records(prefix),
    }
    sys.stdout.write(
        "\n@@TFDOCTOR-PROBE-BEGIN@@\n" + "".join(dump_all(data)) + "\n@@TFDOCTOR-PROBE-END@@\n"
    )


main()
