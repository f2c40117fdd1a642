"""Issue 17, item 7: every code reference in docs/tour.md names something that exists.

Two kinds of reference are checked:
- a Markdown link to a Python file, ``[`Name` or `Class.method`](../src/...py)``: the file
  exists and defines that function, class, method or module-level name (read with ``ast``,
  so nothing is imported); a link to a folder or another file must exist;
- a backticked dotted name starting ``saessak.``: it imports, attribute by attribute.
"""

import ast
import importlib
import os
import re

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOUR = os.path.join(ROOT, "docs", "tour.md")
LINK = re.compile(r"\[`(?P<name>[^`]+)`\]\((?P<target>[^)#\s]+)(?:#[^)]*)?\)")


def _module_level(body):
    """The module's statements, including those inside top-level ``if``/``try`` blocks
    (compiled kernels are defined under ``if numba is not None:``)."""
    for node in body:
        if isinstance(node, ast.If):
            yield from _module_level(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            yield from _module_level(node.body + node.orelse + node.finalbody)
        else:
            yield node


def _defined_names(path):
    """Every name the file defines: functions, classes, Class.method, assignments."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    names = set()
    for node in _module_level(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            if isinstance(node, ast.ClassDef):
                names.update(f"{node.name}.{item.name}" for item in node.body
                             if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _tour():
    if not os.path.exists(TOUR):
        pytest.fail("docs/tour.md is missing")
    return open(TOUR, encoding="utf-8").read()


def test_linked_functions_exist_in_their_files():
    text = _tour()
    links = list(LINK.finditer(text))
    assert len(links) >= 15, "the tour links each function it walks through"
    missing = []
    for link in links:
        target = os.path.normpath(os.path.join(os.path.dirname(TOUR), link["target"]))
        if not os.path.exists(target):
            missing.append(f"{link['target']} (no such file)")
            continue
        if target.endswith(".py"):
            name = link["name"].split("(")[0]
            if name not in _defined_names(target):
                missing.append(f"{link['name']} in {link['target']}")
    assert not missing, "the tour names code that is not there: " + "; ".join(missing)


def test_dotted_saessak_names_import():
    names = set(re.findall(r"`(saessak(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`", _tour()))
    assert names, "the tour names public saessak objects"
    missing = []
    for dotted in sorted(names):
        parts = dotted.split(".")
        obj = importlib.import_module(parts[0])
        for i, part in enumerate(parts[1:], start=1):
            if hasattr(obj, part):
                obj = getattr(obj, part)
                continue
            try:
                obj = importlib.import_module(".".join(parts[:i + 1]))
            except ImportError:
                missing.append(dotted)
                break
    assert not missing, missing


def test_the_checker_catches_a_wrong_name(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("class A:\n    def f(self): pass\n\ndef g(): pass\nX = 1\n"
                      "if X:\n    def h(): pass\n")
    assert _defined_names(source) == {"A", "A.f", "g", "X", "h"}
