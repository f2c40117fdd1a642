"""Issue 17, item 4: pytest 9 warns (``PytestRemovedIn10Warning``) and pytest 10 fails when
``parametrize`` gets a one-shot iterator such as ``itertools.product(...)``. Every test file
must pass a list, tuple or other re-iterable collection instead."""

import ast
import pathlib

TESTS = pathlib.Path(__file__).parent
ONE_SHOT = {"product", "permutations", "combinations", "zip", "map", "filter", "chain"}


def _one_shot_values(tree):
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "parametrize" and len(node.args) >= 2):
            continue
        values = node.args[1]
        if isinstance(values, ast.GeneratorExp):
            yield node.lineno, "a generator expression"
        elif isinstance(values, ast.Call):
            func = values.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ONE_SHOT:
                yield node.lineno, f"{name}(...)"


def test_parametrize_values_are_collections():
    found = []
    for path in sorted(TESTS.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(TESTS)}:{line}: {what}"
                  for line, what in _one_shot_values(tree)]
    assert not found, "wrap these parametrize values in list(...): " + "; ".join(found)


def test_the_check_catches_an_iterator():
    tree = ast.parse("@pytest.mark.parametrize('a,b', itertools.product([1], [2]))\n"
                     "def test_x(a, b): pass\n")
    assert [what for _, what in _one_shot_values(tree)] == ["product(...)"]
