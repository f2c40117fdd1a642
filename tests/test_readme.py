"""Issue 17, item 4 and the Must show: README.md is true for a user's clone. Its python
blocks run as written, its links resolve inside the repository, its layout table names
every top-level part, and scripts/new_user_check.sh will run its commands in order (the
check itself runs in CI: it needs a fresh clone, a fresh venv and the package index)."""

import contextlib
import io
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import readme_steps  # noqa: E402

README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()


def test_python_blocks_run_as_written(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    python = [lines for language, lines, skip in readme_steps.blocks(README)
              if language == "python" and not skip]
    assert len(python) >= 2
    for lines in python:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile("\n".join(lines), "README.md", "exec"), {"__name__": "__main__"})
        assert out.getvalue().strip()


def test_the_keras_example_prints_what_its_comment_says(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    keras_block = next(lines for language, lines, _ in readme_steps.blocks(README)
                       if language == "python" and any("Sequential" in x for x in lines))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile("\n".join(keras_block), "README.md", "exec"), {"__name__": "__main__"})
    assert "[0. 1. 1. 0.]" in out.getvalue()
    rows = [line for line in out.getvalue().splitlines() if "(None," in line]
    assert [row.split()[1] for row in rows] == ["(Dense)", "(Dense)"]  # no input row


def test_links_resolve_in_the_repository_and_nothing_points_outside():
    assert "../shared" not in README
    targets = re.findall(r"\]\(([^)#]+)\)", README)
    assert "docs/DESIGN.md" in targets and "docs/tour.md" in targets
    assert "REPRODUCTION.md" in targets and "benchmarks/RESULTS.md" in targets
    for target in targets:
        assert os.path.exists(os.path.join(ROOT, target)), target


def test_layout_table_names_every_part():
    layout = README.split("## Layout", 1)[1].split("\n## ", 1)[0]
    for part in ("src/saessak/apps/", "src/saessak/compat/", "src/saessak/utils/",
                 "examples/", "scripts/", "benchmarks/", "tests/", "docs/"):
        assert f"`{part}`" in layout, part
    for entry in sorted(os.listdir(os.path.join(ROOT, "src", "saessak"))):
        if entry.startswith("_") or entry.endswith(".pyc"):
            continue
        shown = f"`{entry}/`" if os.path.isdir(os.path.join(ROOT, "src", "saessak", entry)) \
            else f"`{entry}`"
        assert shown in layout or f"`src/saessak/{entry}`" in layout or \
            f"`src/saessak/{entry}/`" in layout, \
            f"src/saessak/{entry} is missing from the layout table"


def test_new_user_check_runs_the_commands_in_order(tmp_path):
    steps = readme_steps.script(README, str(tmp_path))
    commands = [line for line in steps.splitlines()
                if line and not line.startswith(("echo ", "set ", "python /", "python '"))]
    order = ["python -m pip install -e .", 'python -m pip install -e ".[test]"',
             "saessak quickstart --quick", "saessak quickstart", "saessak examples list",
             "saessak examples run s001_reuters_lstm --quick",
             "saessak examples run s004_char_lm --quick", "saessak generate --model",
             "python -m pytest"]
    found = [next(i for i, c in enumerate(commands) if c.startswith(o)) for o in order]
    assert found == sorted(found), commands
    skipped = [line for line in steps.splitlines() if line.startswith("echo '## skipped")]
    assert len(skipped) == 2 and all("(" not in s or ")" in s for s in skipped)
    assert not any(c.startswith("saessak examples run s001_reuters_lstm") and "--quick" not in c
                   for c in commands)  # the long full run is marked, not run
    assert len(os.listdir(tmp_path)) == 2  # the two python blocks, written to run


def test_continuation_lines_are_joined():
    text = "```bash\nsaessak generate --model a \\\n    --vocab b   # comment\n```\n"
    (command,) = readme_steps.commands(readme_steps.blocks(text)[0][1])
    assert " ".join(command.split()) == "saessak generate --model a --vocab b # comment"
    marked = "<!-- new_user_check: skip (slow) -->\n```bash\nsleep 600\n```\n"
    assert readme_steps.blocks(marked) == [("bash", ["sleep 600"], "slow")]
