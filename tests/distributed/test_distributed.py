"""Data-parallel training over MPI: 2 ranks on loopback against one process.

The multi-rank tests start ``mpiexec -n 2`` (through ``saessak launch``'s command builder)
in a subprocess with a timeout; they are skipped, with the reason, when mpi4py or an MPI
launcher is missing. About 50-90 s in all on 2 shared cores.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import saessak as keras
from saessak.distribute import launch
from saessak.distribute.allreduce import GradientReducer
from saessak.distribute.comm import LocalWorld
from saessak.distribute.sharding import shard_bounds

HERE = os.path.dirname(os.path.abspath(__file__))
WORKERS = os.path.join(HERE, "workers.py")
sys.path.insert(0, HERE)
import workers  # noqa: E402

KINDS = ("dense", "lstm", "cnn")


def _mpi_available():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return "mpi4py is not installed (pip install 'saessak[distributed]')"
    try:
        launch.find_mpiexec()
    except FileNotFoundError:
        return "no mpiexec/mpirun was found"
    return None


needs_mpi = pytest.mark.skipif(_mpi_available() is not None,
                               reason=str(_mpi_available()))


def run_ranks(*args, n=2, timeout=120, collective_timeout=20):
    """Run workers.py on ``n`` ranks; returns the CompletedProcess."""
    cmd, env = launch.build_command(n, WORKERS, [str(a) for a in args], threads=1)
    env = {**os.environ, **env, "SAESSAK_DISTRIBUTE_TIMEOUT": str(collective_timeout)}
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


# --- without MPI ---------------------------------------------------------------------------
def test_shard_bounds_cover_the_batch_once():
    for n in (0, 1, 5, 64, 45):
        for size in (1, 2, 3, 8):
            rows = [shard_bounds(n, r, size) for r in range(size)]
            assert rows[0][0] == 0 and rows[-1][1] == n
            assert all(a[1] == b[0] for a, b in zip(rows, rows[1:]))
            sizes = [b - a for a, b in rows]
            assert max(sizes) - min(sizes) <= 1


def test_reducer_buckets_return_scaled_arrays_in_order():
    r = np.random.default_rng(0)
    arrays = [r.normal(size=s) for s in [(3, 4), (7,), (2, 2, 2), (50,)]] + \
        [r.normal(size=(5,)).astype(np.float32)]
    reducer = GradientReducer(LocalWorld(), bucket_bytes=100)  # several buckets
    out = reducer.reduce(arrays, [0.5, 0.25, 1.0, 2.0, 0.5])
    assert len(reducer._buckets) >= 3
    for a, o, s in zip(arrays, out, [0.5, 0.25, 1.0, 2.0, 0.5]):
        assert o.shape == a.shape and o.dtype == a.dtype
        np.testing.assert_allclose(o, a * s, rtol=1e-6)
    with pytest.raises(ValueError, match="bucket_bytes"):
        GradientReducer(LocalWorld(), bucket_bytes=0)


def test_one_process_runs_as_today_without_importing_mpi4py():
    code = ("import sys, numpy as np, saessak as keras\n"
            "s = keras.distribute.MirroredStrategy()\n"
            "assert s.num_replicas_in_sync == 1 and s.cluster_resolver.task_id == 0\n"
            "with s.scope():\n"
            "    m = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])\n"
            "    m.compile('adam', 'mse')\n"
            "m.fit(np.ones((8, 3)), np.ones((8, 2)), batch_size=4, verbose=0)\n"
            "assert s.reduce('SUM', 2.0) == 2.0\n"
            "assert 'mpi4py' not in sys.modules, 'mpi4py was imported'\n")
    env = {k: v for k, v in os.environ.items()
           if k not in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_synchronized_batch_norm_alone_is_plain_batch_norm():
    x = np.random.default_rng(0).normal(size=(6, 5, 3))
    plain = keras.layers.BatchNormalization()
    synced = keras.layers.BatchNormalization(synchronized=True)
    np.testing.assert_array_equal(plain(x, training=True).numpy(),
                                  synced(x, training=True).numpy())


def test_strategy_reduce_rejects_unknown_ops():
    with pytest.raises(ValueError, match="reduce_op must be 'SUM' or 'MEAN'"):
        keras.distribute.MirroredStrategy().reduce("MAX", 1.0)


def test_launch_command_for_open_mpi(tmp_path):
    cmd, env = launch.build_command(4, "train.py", ["--epochs", "2"], hosts="a,b",
                                    threads=1, mpiexec="/x/mpiexec", flavour="openmpi",
                                    python="py")
    assert cmd[0] == "/x/mpiexec" and "--oversubscribe" in cmd
    assert cmd[cmd.index("--host") + 1] == "a:2,b:2"
    assert cmd[-7:] == ["4", "py", "-m", "mpi4py", "train.py", "--epochs", "2"]
    assert env["OMP_NUM_THREADS"] == "1"
    assert ("--allow-run-as-root" in cmd) == (os.geteuid() == 0)
    with pytest.raises(ValueError, match="-n must be a positive"):
        launch.build_command(0, "train.py", mpiexec="x", flavour="openmpi")


def test_launch_names_a_missing_script():
    done = subprocess.run([sys.executable, "-m", "saessak", "launch", "-n", "2", "nope.py"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "saessak launch: no script 'nope.py'" in done.stderr


# --- 2 ranks on loopback ------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory):
    """One 2-rank run of every model, and the one-process reference."""
    if _mpi_available():
        pytest.skip(_mpi_available())
    path = tmp_path_factory.mktemp("equivalence") / "out"
    done = run_ranks("equivalence", path)
    assert done.returncode == 0, done.stdout + done.stderr
    ranks = [dict(np.load(f"{path}.{r}.npz")) for r in range(2)]
    reference = {}
    try:
        for kind in KINDS:
            reference.update(workers.train(kind))
        reference.update({f"uneven/{k}": v
                          for k, v in workers.train("dense", n=1261).items()})
        for source in ("dataset", "generator"):
            reference.update({f"{source}/{k}": v for k, v in workers.train(
                "dense", n=1261, source=source).items()})
    finally:
        keras.backend.set_floatx("float32")
    return ranks, reference


@needs_mpi
@pytest.mark.parametrize("kind", KINDS + ("uneven/dense", "dataset/dense",
                                          "generator/dense"))
def test_two_ranks_train_like_one_process(two_ranks, kind):
    """2 ranks x global batch 64 = 1 process x batch 64 after 20 Adam steps, float64."""
    ranks, reference = two_ranks
    assert int(ranks[0]["replicas"]) == 2
    assert int(ranks[0][f"{kind}/iterations"]) == 20
    weights = sorted(k for k in reference if k.startswith(f"{kind}/w"))
    assert weights
    for key in weights:
        np.testing.assert_allclose(ranks[0][key], reference[key], rtol=0, atol=1e-6,
                                   err_msg=key)
        np.testing.assert_array_equal(ranks[0][key], ranks[1][key], err_msg=key)
    first = workers.build(kind.split("/")[-1]).get_weights()  # training moved them
    assert max(np.abs(ranks[0][k] - w).max() for k, w in zip(weights, first)) > 1e-3


@needs_mpi
@pytest.mark.parametrize("kind", KINDS + ("uneven/dense", "dataset/dense",
                                          "generator/dense"))
def test_logs_evaluate_and_predict_match_one_process(two_ranks, kind):
    ranks, reference = two_ranks
    keys = [k for k in reference if k.startswith(f"{kind}/history/")]
    assert {k.rsplit("/", 1)[1] for k in keys} == {"loss", "accuracy", "val_loss",
                                                   "val_accuracy"}
    for key in keys + [f"{kind}/evaluate", f"{kind}/predict"]:
        for rank in ranks:
            np.testing.assert_allclose(rank[key], reference[key], rtol=1e-9, atol=1e-9,
                                       err_msg=key)
    assert ranks[0][f"{kind}/predict"].shape == (37,) + reference[f"{kind}/predict"].shape[1:]


@needs_mpi
def test_a_rank_that_dies_ends_the_job():
    done = run_ranks("die", timeout=90, collective_timeout=15)
    assert done.returncode != 0
    assert "exited with non-zero status" in done.stderr + done.stdout or \
        "did not complete within" in done.stderr


@needs_mpi
def test_a_rank_that_hangs_times_the_others_out():
    done = run_ranks("hang", timeout=90, collective_timeout=4)
    assert done.returncode != 0
    assert "rank 0 of 2: gradient allreduce did not complete within 4 s" in done.stderr


def _per_replica_reference(halves=2):
    """The CNN trained as two replicas with their own BatchNormalization statistics would
    train it, in one process: each global batch's halves forward and backward on their
    own, the gradients and the moving statistics averaged, then one Adam update."""
    from saessak.layers.layer import learning_phase

    keras.backend.set_floatx("float64")
    x, y = workers.data("cnn")
    model = workers.build("cnn", synchronized=False)
    bn = next(layer for layer in model.layers
              if isinstance(layer, keras.layers.BatchNormalization))
    params = model.trainable_weights
    keras.backend.set_random_seed(11)
    order = keras.backend.rng().permutation(len(x))
    for step in range(workers.STEPS):
        rows = order[step * workers.GLOBAL_BATCH:(step + 1) * workers.GLOBAL_BATCH]
        before = [bn.moving_mean.data.copy(), bn.moving_variance.data.copy()]
        grads, stats = [], []
        for part in np.array_split(rows, halves):
            bn.moving_mean.data[...], bn.moving_variance.data[...] = before
            for p in params:
                p.grad = None
            with learning_phase(True):
                out = model(x[part], training=True)
            model.compute_loss(x[part], y[part], out).backward()
            grads.append([p.grad.copy() for p in params])
            stats.append([bn.moving_mean.data.copy(), bn.moving_variance.data.copy()])
        bn.moving_mean.data[...] = np.mean([s[0] for s in stats], axis=0)
        bn.moving_variance.data[...] = np.mean([s[1] for s in stats], axis=0)
        model.optimizer.apply([np.mean(g, axis=0) for g in zip(*grads)], params)
    return model.get_weights()


@needs_mpi
def test_per_replica_batch_norm_uses_each_shards_statistics(tmp_path):
    """Keras's default: each replica normalizes with its own shard's statistics; the
    moving averages are averaged over the replicas, so every rank keeps the same ones."""
    done = run_ranks("per_replica_bn", tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
    ranks = [np.load(f"{tmp_path / 'out'}.{r}.npz") for r in range(2)]
    try:
        reference = _per_replica_reference()
        one_batch = [ranks[0][f"cnn/w{i}"] for i in range(len(reference))]
        synced = workers.train("cnn")  # whole-batch statistics give other weights
    finally:
        keras.backend.set_floatx("float32")
    for i, want in enumerate(reference):
        np.testing.assert_allclose(one_batch[i], want, rtol=0, atol=1e-6, err_msg=f"w{i}")
        np.testing.assert_array_equal(ranks[0][f"cnn/w{i}"], ranks[1][f"cnn/w{i}"])
    assert max(np.abs(one_batch[i] - synced[f"cnn/w{i}"]).max()
               for i in range(len(reference))) > 1e-4


@needs_mpi
def test_backup_and_restore_resumes_a_killed_run_exactly(tmp_path):
    """2 ranks, 4 epochs with BackupAndRestore; rank 1 is killed after epoch 1 (rank 0 has
    written the backup); the relaunched job resumes at epoch 2 and ends with the weights
    of a run that was never interrupted."""
    whole = run_ranks("backup", tmp_path / "whole", tmp_path / "whole_out")
    assert whole.returncode == 0, whole.stdout + whole.stderr
    killed = run_ranks("backup", tmp_path / "backup", tmp_path / "out", 1)
    assert killed.returncode != 0
    assert not os.path.exists(f"{tmp_path / 'out'}.0.npz")
    assert os.listdir(tmp_path / "backup"), "no backup was written before the kill"
    resumed = run_ranks("backup", tmp_path / "backup", tmp_path / "out")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    want = np.load(f"{tmp_path / 'whole_out'}.0.npz")
    for rank in range(2):
        got = np.load(f"{tmp_path / 'out'}.{rank}.npz")
        for key in want.files:
            np.testing.assert_allclose(got[key], want[key], rtol=0, atol=1e-12, err_msg=key)


@needs_mpi
def test_saessak_launch_runs_a_script_on_two_ranks(tmp_path):
    script = tmp_path / "hello.py"
    script.write_text("import sys, numpy as np, saessak as keras\n"
                      "s = keras.distribute.MultiWorkerMirroredStrategy()\n"
                      "r = s.cluster_resolver\n"
                      "total = s.reduce('SUM', r.task_id + 1)\n"
                      "mean = s.reduce('MEAN', np.full((3, 2), r.task_id), axis=0)\n"
                      "assert mean.tolist() == [0.5, 0.5], mean\n"
                      "assert s.gather(np.array([[r.task_id]])).tolist() == [[0], [1]]\n"
                      "assert keras.distribute.MirroredStrategy().num_replicas_in_sync == 2\n"
                      "print(f'rank {r.task_id} of {r.num_workers} {sys.argv[1]} {total:g}')\n")
    done = subprocess.run([sys.executable, "-m", "saessak", "launch", "-n", "2", "--threads",
                           "1", "--timeout", "120", str(script), "hi"],
                          capture_output=True, text=True, timeout=150)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = sorted(line for line in done.stdout.splitlines() if line.startswith("rank "))
    assert lines == ["rank 0 of 2 hi 3", "rank 1 of 2 hi 3"]


@needs_mpi
def test_peak_memory_per_rank_is_at_most_1_2x_one_process(tmp_path):
    one = subprocess.run([sys.executable, WORKERS, "memory", str(tmp_path / "one")],
                         capture_output=True, text=True, timeout=120)
    assert one.returncode == 0, one.stderr
    two = run_ranks("memory", tmp_path / "two")
    assert two.returncode == 0, two.stdout + two.stderr
    single = float((tmp_path / "one.0").read_text())
    ranks = [float((tmp_path / f"two.{r}").read_text()) for r in range(2)]
    assert max(ranks) <= 1.2 * single, (ranks, single)
