"""Issue 18, item 4: the threads of saessak's math, set at run time (``saessak.config``)."""

import os
import subprocess
import sys

import pytest

import saessak
from saessak import _threads


@pytest.fixture
def restore_threads():
    before = _threads.get_num_threads()
    yield
    _threads.set_num_threads(before)


def test_set_num_threads_changes_the_blas_pool(restore_threads):
    saessak.config.set_num_threads(1)
    assert saessak.config.get_num_threads() == 1
    cores = os.cpu_count() or 1
    if cores > 1:
        saessak.config.set_num_threads(2)
        assert saessak.config.get_num_threads() == 2


def test_tf_intra_op_threads_set_the_same_pool(restore_threads):
    saessak.config.threading.set_intra_op_parallelism_threads(1)
    assert saessak.config.threading.get_intra_op_parallelism_threads() == 1
    saessak.config.threading.set_intra_op_parallelism_threads(0)  # TF's "system default"
    assert saessak.config.get_num_threads() == (os.cpu_count() or 1)


@pytest.mark.parametrize("bad, error, words", [(0, ValueError, "at least 1, received 0"),
                                               (2.5, TypeError, "whole number, received 2.5"),
                                               (True, TypeError, "received True")])
def test_bad_thread_counts_are_named(bad, error, words):
    with pytest.raises(error, match=words):
        saessak.config.set_num_threads(bad)


def test_omp_num_threads_is_respected_at_start():
    code = "import saessak; print(saessak.config.get_num_threads())"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.pop("OPENBLAS_NUM_THREADS", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "1"
