"""The commands of README.md, in order, as a bash script (used by new_user_check.sh).

    python scripts/readme_steps.py README.md OUT_DIR > steps.sh

Every fenced ``bash`` block becomes its command lines (a line ending in a backslash is
joined with the next), each echoed before it runs; every ``python`` block is written to
``OUT_DIR/readme_block_N.py`` and run with ``python``. A block right after the line
``<!-- new_user_check: skip (REASON) -->`` is left out (the README says why in its text
too). Other blocks (``text``, output) are not commands.
"""

from __future__ import annotations

import os
import re
import shlex
import sys

SKIP = re.compile(r"<!--\s*new_user_check:\s*skip\s*\((?P<reason>[^)]+)\)\s*-->")
FENCE = re.compile(r"^```(?P<lang>\w*)\s*$")


def blocks(text):
    """``(language, lines, skip reason or None)`` for each fenced block, in order."""
    lines = text.splitlines()
    out, i, pending_skip = [], 0, None
    while i < len(lines):
        skip = SKIP.search(lines[i])
        if skip:
            pending_skip = skip.group("reason")
            i += 1
            continue
        fence = FENCE.match(lines[i])
        if fence:
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            out.append((fence.group("lang"), lines[i + 1:end], pending_skip))
            pending_skip, i = None, end + 1
            continue
        if lines[i].strip():
            pending_skip = None  # a marker only covers the block right after it
        i += 1
    return out


def commands(bash_lines):
    """The commands of a bash block: continuation lines joined, comments and blanks
    dropped (a comment after a command stays; bash ignores it)."""
    joined, current = [], ""
    for line in bash_lines:
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        if current.strip() and not current.strip().startswith("#"):
            joined.append(current.strip())
        current = ""
    return joined


def script(text, out_dir):
    """The bash script that runs the README's commands and writes its python blocks."""
    steps = ["set -euo pipefail"]
    n_python = 0
    for language, lines, skip in blocks(text):
        if skip:
            steps.append(f"echo {shlex.quote(f'## skipped a {language} block: {skip}')}")
            continue
        if language in ("bash", "sh", "shell", "console"):
            for command in commands(lines):
                steps.append(f"echo {shlex.quote('$ ' + command)}")
                steps.append(command)
        elif language == "python":
            n_python += 1
            path = os.path.join(out_dir, f"readme_block_{n_python}.py")
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
            steps.append(f"echo {shlex.quote(f'$ python  # README python block {n_python}')}")
            steps.append(f"python {shlex.quote(path)}")
    return "\n".join(steps) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    readme, out_dir = argv
    with open(readme, encoding="utf-8") as f:
        sys.stdout.write(script(f.read(), out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
