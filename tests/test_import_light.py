"""``import saessak`` loads none of the optional extras that only some features use: they
are imported where they are needed, so the core needs NumPy alone (numba, SciPy and CuPy
are picked up at import when present, as the fast paths they are)."""

import subprocess
import sys

OPTIONAL = ("matplotlib", "h5py", "onnx", "mpi4py", "tensorboard", "kiwipiepy", "tqdm",
            "pydot", "PIL", "IPython", "tensorflow", "torch", "keras")


def test_import_saessak_loads_no_optional_extra():
    code = ("import sys, saessak, saessak.keras; "
            f"print(sorted(m for m in {OPTIONAL!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stdout
