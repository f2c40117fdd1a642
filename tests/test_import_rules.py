"""The architecture of DESIGN.md as a test: which module may import which.

saessak is built in rooms stacked bottom to top (``ROOMS``). A module may import from its
own room and from the rooms below it, never from a room above: not at the top of the file,
and not inside a function either (an import moved into a function still ties the lower
room to the higher one). And no two rooms import each other through a cycle of modules.

Modules are read with ``ast``, not imported, so the test sees every import, including those
behind ``if`` and inside functions. A failure names the file, the line and the import.
"""

from __future__ import annotations

import ast
import os
from collections import defaultdict

import pytest

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")

# Bottom to top. Each room lists the module prefixes it holds; the longest prefix wins, so
# the few helpers that need nothing of saessak (atomic writes, safe .npz reading, get_file)
# sit in the foundation although their package, ``utils``, is a namespace near the top.
ROOMS = [
    ("foundation", ("saessak.backend", "saessak._registry", "saessak._numba",
                    "saessak._fpmode", "saessak._memory", "saessak._threads", "saessak._blas",
                    "saessak._distribution", "saessak._version", "saessak._nest",
                    "saessak.utils.atomic",
                    "saessak.utils.safe_npz", "saessak.utils.data_utils")),
    ("autograd", ("saessak.autograd",)),
    ("ops", ("saessak.ops",)),
    ("layer ingredients", ("saessak.activations", "saessak.initializers",
                           "saessak.regularizers", "saessak.constraints")),
    ("layers", ("saessak.layers",)),
    ("training", ("saessak.training", "saessak.losses", "saessak.metrics",
                  "saessak.optimizers", "saessak.callbacks")),
    ("models", ("saessak.models", "saessak.saved_model")),
    ("data", ("saessak.data", "saessak.datasets", "saessak.preprocessing", "saessak.text",
              "saessak.tfds", "saessak.utils")),
    ("interop", ("saessak.onnx", "saessak.applications", "saessak.hub", "saessak.compat")),
    ("distribute", ("saessak.distribute",)),
    ("apps", ("saessak.apps", "saessak.__main__", "saessak")),
]
LEVEL = {name: i for i, (name, _) in enumerate(ROOMS)}


def room_of(module: str) -> str:
    best, best_len = None, -1
    for name, prefixes in ROOMS:
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = name, len(prefix)
    return best


def _modules() -> dict[str, str]:
    """Dotted module name -> file path, for every module of the package."""
    found = {}
    root = os.path.join(SRC, "saessak")
    for folder, _, files in os.walk(root):
        for file in files:
            if file.endswith(".py"):
                path = os.path.join(folder, file)
                name = os.path.relpath(path, SRC)[:-3].replace(os.sep, ".")
                found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str:
    """The module that an imported dotted name lives in (``saessak.ops.add`` -> ``saessak.ops``)."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def imports_of(module: str):
    """(line, imported module, inside a function?) for every saessak import of ``module``."""
    path = MODULES[module]
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    package = module if path.endswith("__init__.py") else module.rsplit(".", 1)[0]
    in_function = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            in_function.update(id(sub) for sub in ast.walk(node) if sub is not node)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            targets = [base + "." + alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        for target in targets:
            if target == "saessak" or target.startswith("saessak."):
                yield node.lineno, _resolve(target), id(node) in in_function


def _edges():
    return {m: sorted(set(imports_of(m))) for m in sorted(MODULES)}


EDGES = _edges()


def test_every_module_has_a_room():
    assert not [m for m in MODULES if room_of(m) is None]


def test_no_room_imports_a_room_above_it():
    upward = []
    for module, imports in EDGES.items():
        here = LEVEL[room_of(module)]
        for line, target, inside in imports:
            if LEVEL[room_of(target)] > here:
                where = " (inside a function)" if inside else ""
                upward.append(f"{os.path.relpath(MODULES[module], SRC)}:{line}: "
                              f"{room_of(module)} imports {target} ({room_of(target)}){where}")
    assert not upward, "a lower room imports a higher one:\n" + "\n".join(upward)


def _strongly_connected(graph):
    """Tarjan's algorithm: the strongly connected components of ``graph``."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            components.append(component)

    for v in list(graph):
        if v not in index:
            visit(v)
    return components


def _package(module):
    """The top-level part a module belongs to: ``saessak.ops`` for ``saessak.ops.lstm``."""
    return ".".join(module.split(".")[:2])


def test_no_import_cycle_between_packages():
    graph = defaultdict(set)
    for module, imports in EDGES.items():
        graph[module]
        for _, target, _ in imports:
            if target != module:
                graph[module].add(target)
    crossing = []
    for component in _strongly_connected(graph):
        if len({_package(m) for m in component}) > 1:
            crossing.append(sorted(component))
    assert not crossing, ("modules of different packages import each other in a cycle: "
                          + "; ".join(" <-> ".join(c) for c in crossing))


@pytest.mark.parametrize("module,target,expected", [
    ("saessak.ops.lstm", "saessak.layers.layer", "upward"),
    ("saessak.layers.dense", "saessak.ops.math", "fine"),
])
def test_the_rule_itself(module, target, expected):
    """The rule can fail: an ops module importing a layer is upward, the reverse is not."""
    upward = LEVEL[room_of(target)] > LEVEL[room_of(module)]
    assert upward == (expected == "upward")
