"""No module of saessak is over 500 lines: one concept per module, small enough to read
in one sitting (issue 20). A module that grows past it is split along its concepts."""

import os

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src",
                   "saessak")
LIMIT = 500


def test_no_module_over_500_lines():
    too_long = []
    for folder, _, files in os.walk(SRC):
        for file in files:
            if file.endswith(".py"):
                path = os.path.join(folder, file)
                with open(path, encoding="utf-8") as f:
                    n = sum(1 for _ in f)
                if n > LIMIT:
                    too_long.append(f"{os.path.relpath(path, SRC)}: {n} lines")
    assert not too_long, f"modules over {LIMIT} lines: " + ", ".join(sorted(too_long))
