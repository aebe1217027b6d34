"""``tfdoctor scan``: find the Python environments under some folders and check them all.

:mod:`.discover` finds them (venvs, conda envs, pyenv versions, Jupyter kernel specs and the
interpreters they name); :mod:`.runner` checks them in a bounded pool of threads (each check is
a probe subprocess, so threads wait in parallel) and yields one :class:`~.runner.Row` each."""
