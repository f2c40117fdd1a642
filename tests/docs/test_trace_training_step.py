"""scripts/trace_training_step.py, which the tour points to, traces a real step."""

import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _load():
    path = os.path.join(ROOT, "scripts", "trace_training_step.py")
    spec = importlib.util.spec_from_file_location("trace_training_step", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_trace_follows_fit_through_the_lstm_kernel_to_adam(capsys):
    _load().main([])
    lines = capsys.readouterr().out.splitlines()
    files = [line.split(". ", 1)[1].split()[0] for line in lines[1:]]
    assert files[0] == os.path.join("training", "trainer.py")
    # the step goes down through the LSTM op before the loss, and updates with Adam after
    order = {name: files.index(name) for name in
             (os.path.join("ops", "lstm.py"), os.path.join("ops", "losses.py"),
              os.path.join("optimizers", "adam.py"))}
    assert order[os.path.join("ops", "lstm.py")] < order[os.path.join("ops", "losses.py")]
    assert order[os.path.join("ops", "losses.py")] < order[os.path.join("optimizers", "adam.py")]
    assert f"{len(files)} files" in lines[0]
