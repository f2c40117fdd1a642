"""saessak._memory: freed large arrays' memory stays in the process (glibc), and the opt-outs."""

import platform
import subprocess
import sys

import pytest

# A training step's pattern: a few 3 MiB arrays alive at once, filled, then all freed; 40
# rounds, the page faults of the last 20 printed. With the memory kept, the same pages come
# back from the heap every round; with glibc's defaults the freed heap top is trimmed back
# to the OS (it exceeds twice the largest block freed) and each round faults in ~2,300
# fresh pages.
PROGRAM = """
import resource, numpy as np
import saessak._memory as m
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for k in range(40):
    if k == 20:
        start = faults()
    arrays = [np.empty(3 * 2**18, np.float32) for _ in range(3)]
    for a in arrays:
        a.fill(1.0)
    del arrays, a
print(m.APPLIED, (faults() - start) / 20)
"""

glibc_only = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="malloc tuning applies to glibc only")


def run(env_update):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env.pop("SAESSAK_MALLOC_TUNING", None)
    env.update(env_update)
    out = subprocess.run([sys.executable, "-c", PROGRAM], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    return out[0] == "True", float(out[1])


@glibc_only
def test_large_arrays_reuse_their_pages():
    applied, faults_per_round = run({})
    assert applied
    assert faults_per_round < 100  # the three arrays span 2,304 pages


@glibc_only
def test_opt_out_leaves_malloc_alone():
    applied, faults_per_round = run({"SAESSAK_MALLOC_TUNING": "0"})
    assert not applied
    assert faults_per_round > 500  # glibc's default: fresh pages every round
    applied, _ = run({"MALLOC_TRIM_THRESHOLD_": "1000000"})  # the user's own setting wins
    assert not applied
