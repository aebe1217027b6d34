"""Scripts that run inside the target interpreter.

They use the standard library only, run on CPython 3.7+, and never import an installed package of
the target. ``static.py`` collects the facts of the Snapshot; it is loaded (through the import
system's loader, so that cached byte-code is used) by a small ``python -c`` guard that also runs
on Python 2, so that an unsupported interpreter is recognised instead of failing on syntax.
``runtime.py`` (``check --deep``) is sent on standard input behind the same guard.
"""
