"""Run inside an environment with TensorFlow, keras and tf-keras: report which dotted names resolve.

Reads JSON {"names": [...]} on stdin, prints JSON {name: true|false}. Imports the packages (that is
the point: it checks the API-change data against the real libraries).
"""

import importlib
import json
import sys


def resolves(dotted):
    parts = dotted.split(".")
    obj = None
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:
            continue
        for attr in parts[i:]:
            try:
                obj = getattr(obj, attr)
            except AttributeError:
                # a submodule not imported by its parent package
                try:
                    obj = importlib.import_module(obj.__name__ + "." + attr)
                except Exception:
                    return False
        return True
    return False


names = json.load(sys.stdin)["names"]
print(json.dumps({name: resolves(name) for name in names}))
