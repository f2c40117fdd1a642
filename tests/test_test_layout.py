"""The test tree itself: pytest imports test files by their base name (there is no package
``__init__``), so two files of one name in different folders stop the whole run."""

import collections
import os

TESTS = os.path.dirname(__file__)


def test_test_file_names_are_unique():
    seen = collections.defaultdict(list)
    for folder, _, files in os.walk(TESTS):
        for name in files:
            if name.startswith("test_") and name.endswith(".py"):
                seen[name].append(os.path.relpath(os.path.join(folder, name), TESTS))
    clashes = {name: paths for name, paths in seen.items() if len(paths) > 1}
    assert not clashes, f"test files sharing a name (rename one of each): {clashes}"
