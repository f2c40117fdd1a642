"""Run one example under real Keras: the same program, with only its import lines changed.

Runs in a separate environment that has Keras 3 with the TensorFlow backend (issue 19's
``--keras-python``); ``make_reproduction.py run NAME --seeds N --keras-python PY`` calls it
once per seed. saessak itself is imported too, but only for what feeds the model the same
data: the dataset loaders, ``preprocessing`` and ``utils`` (NumPy code). Everything that
builds, trains and evaluates the model comes from Keras.

    /path/to/keras-venv/bin/python scripts/keras_twin.py s000_multiplication_lstm \\
        --seed 3 --out result.json [--epochs N] [--kwargs JSON] [--quick]

The record written has the same fields as a saessak run's, plus ``framework``.

``--flavour tf_keras`` runs the program in tf.keras 2 (the ``tf_keras`` package) instead of
Keras 3. The two differ where it matters here: Keras 3's Adam, with the TensorFlow backend,
squares an Embedding's gradient slice by slice before summing repeated rows, so a token that
occurs k times in a batch gets a second moment of sum(g_i^2) where dense Adam (tf.keras 2,
PyTorch, saessak) has (sum g_i)^2. The seeds were written against tf.keras 2.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "src"))

# saessak modules that only prepare data: the twin keeps them, so both sides see the same arrays
DATA_MODULES = {"datasets", "preprocessing", "utils"}
# everything else under saessak has a Keras module of the same name
IMPORT = re.compile(r"^(\s*)from saessak(?:\.(\w+))?((?:\.\w+)*) import (.*)$")


def twin_line(line, keras="keras"):
    """One source line with its saessak import pointed at Keras (other lines unchanged);
    ``keras``: the package, 'keras' (Keras 3) or 'tf_keras' (tf.keras 2)."""
    if line.strip() == "import saessak as keras":
        twin = "import keras" if keras == "keras" else f"import {keras} as keras"
        return line.replace("import saessak as keras", twin)
    match = IMPORT.match(line)
    if not match:
        return line
    indent, package, rest, names = match.groups()
    if package in DATA_MODULES:
        return line
    if package == "data":  # tf.data in place of saessak.data (see Dataset below)
        return f"{indent}from keras_twin import {names}"
    if package is None:  # from saessak import layers, callbacks
        kept = [n for n in re.split(r"\s*,\s*", names.strip()) if n not in DATA_MODULES]
        if len(kept) != len(re.split(r"\s*,\s*", names.strip())):
            raise ValueError(f"keras_twin: cannot split the import {line.strip()!r}")
        return f"{indent}from {keras} import {names}"
    return f"{indent}from {keras}.{package}{rest} import {names}"


def twin_source(source, keras="keras"):
    """The example's source for Keras, and the (before, after) pairs of the lines changed."""
    lines, changed = [], []
    for line in source.splitlines():
        new = twin_line(line, keras)
        if new != line:
            changed.append((line.strip(), new.strip()))
        lines.append(new)
    data_import = re.compile(r"\s*from saessak\.(" + "|".join(DATA_MODULES) + r")\b")
    leftover = [line for line in lines if re.match(r"\s*(import|from)\s+saessak\b", line)
                and not data_import.match(line)]
    if leftover:
        raise ValueError("keras_twin: saessak imports beyond the data modules remain: "
                         + "; ".join(s.strip() for s in leftover))
    return "\n".join(lines) + "\n", changed


class Dataset:
    """``saessak.data.Dataset.from_generator`` as tf.data: tf.data needs the element
    signature up front, which saessak infers, so it is read off the first element here."""

    @staticmethod
    def from_generator(make_iterator):
        import numpy as np
        import tensorflow as tf

        first = next(iter(make_iterator()))
        spec = tuple(tf.TensorSpec([None] * np.ndim(part), tf.as_dtype(np.asarray(part).dtype))
                     for part in first)
        return tf.data.Dataset.from_generator(make_iterator, output_signature=spec)


def load_twin(example, keras="keras"):
    """Import the example's script with its imports pointed at Keras (``keras``: the
    package, 'keras' or 'tf_keras')."""
    from saessak.apps import examples as registry

    folder = registry.examples_dir()
    sys.path.insert(0, folder)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(folder, example.script + ".py")
    with open(path, encoding="utf-8") as f:
        source, changed = twin_source(f.read(), keras)
    print(f"keras_twin: {os.path.relpath(path, ROOT)} with {len(changed)} import lines changed:")
    for before, after in changed:
        print(f"    {before}  ->  {after}")
    module = type(sys)(example.script)
    module.__file__ = path
    sys.modules[example.script] = module
    exec(compile(source, path, "exec"), module.__dict__)
    return module


# the package each flavour imports, and how its records name it
FLAVOURS = {"keras": ("keras", "Keras"), "tf_keras": ("tf_keras", "tf.keras")}


def run(name, epochs, quick, kwargs, seed, out_json, flavour="keras"):
    import importlib

    import tensorflow as tf
    from make_reproduction import write_record  # the record saessak's runs write

    from saessak.apps import examples as registry

    package, label = FLAVOURS[flavour]
    keras = importlib.import_module(package)
    example = registry.get(name)
    module = load_twin(example, package)
    out_dir = os.path.join(os.path.dirname(out_json), f"seed{seed}", "keras")
    start = time.perf_counter()
    metrics = module.main(epochs=epochs, quick=quick, out_dir=out_dir, seed=seed,
                          **dict(example.kwargs, **kwargs))
    write_record(out_json, name, quick, epochs, kwargs, seed, time.perf_counter() - start,
                 metrics, framework=f"{label} {keras.__version__} (TensorFlow {tf.__version__})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=0)
    parser.add_argument("--kwargs", default="{}")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--flavour", choices=sorted(FLAVOURS), default="keras",
                        help="Keras 3 (keras) or tf.keras 2 (tf_keras)")
    args = parser.parse_args(argv)
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    run(args.name, args.epochs or None, args.quick, json.loads(args.kwargs), args.seed,
        args.out, args.flavour)
    return 0


if __name__ == "__main__":
    sys.exit(main())
