"""Write src/saessak/models/keras_format/keras_ops.json: how Keras 3 saves each keras.ops
function called on a functional model's placeholders.

Keras 3 records ``keras.ops.mean(x, axis=1)`` as an operation object of class ``Mean``
(module ``keras.src.ops.numpy``) whose configuration holds its constructor's arguments
(``axis``, ``keepdims``) and whose node holds the call's (``x``). saessak reads and writes
that form with this table: for each function, the class, its module, the constructor's
argument names, the call's argument names, and the function's own signature.

    /path/to/keras3/python scripts/make_keras_ops_table.py      (Keras 3, any backend)
"""

import importlib
import inspect
import json
import os
import re

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
from keras.src.ops.operation import Operation  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "saessak", "models",
                   "keras_format", "keras_ops.json")


def names(fn, skip):
    return [p.name for p in inspect.signature(fn).parameters.values()
            if p.name not in skip and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]


def main():
    table = {}
    for part in ("core", "math", "nn", "numpy", "linalg", "image"):
        module = importlib.import_module(f"keras.src.ops.{part}")
        classes = {n: c for n, c in vars(module).items() if inspect.isclass(c)
                   and issubclass(c, Operation) and c.__module__ == module.__name__}
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn) \
                    or fn.__module__ != module.__name__:
                continue
            used = [c for c in classes if re.search(rf"\b{c}\(", inspect.getsource(fn))]
            if len(used) != 1:  # no operation, or a choice between several: not recorded
                continue
            cls = classes[used[0]]
            table[name] = {"class": cls.__name__, "module": module.__name__,
                           "init": names(cls.__init__, ("self", "name")),
                           "call": names(cls.call, ("self",)),
                           "signature": names(fn, ())}
    with open(OUT, "w") as f:
        json.dump({"keras": keras.__version__, "ops": table}, f, indent=0, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(table)} ops to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
