"""The version that ``saessak --version`` and saved files report is the package's own."""

import os
import re

import saessak

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_version_matches_pyproject():
    text = open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8").read()
    declared = re.search(r'^version = "([^"]+)"', text, re.MULTILINE).group(1)
    assert saessak.__version__ == declared
