"""One transformer encoder block, forward + backward: saessak against PyTorch.

Workload: batch 32, length 128, d_model 128, 4 heads, MLP width 512, post-norm, ReLU, no
dropout; float32 on the CPU. saessak's ``TransformerEncoder`` and PyTorch's
``nn.TransformerEncoderLayer(d_model=128, nhead=4, dim_feedforward=512, batch_first=True,
dropout=0)`` get the same weights (copied across), so the run also checks that both compute
the same outputs and gradients. PyTorch is reported as skipped when it is not installed.

    python benchmarks/bench_transformer.py [--repeat 15] [--threads N]

``--threads N`` pins both libraries to N threads (OpenBLAS through its environment
variable, set before NumPy loads; PyTorch through ``set_num_threads``). On a shared machine
one thread per library gives the steadiest comparison.
"""

from __future__ import annotations

import argparse
import os
import sys


def _parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:  # must happen before NumPy (and its BLAS) is first imported
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    return args


ARGS = _parse_args() if __name__ == "__main__" else None

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from _timing import machine_line, median_time, try_import  # noqa: E402

import saessak  # noqa: E402
from saessak.layers import TransformerEncoder  # noqa: E402

BATCH, LENGTH, D_MODEL, HEADS, FFN = 32, 128, 128, 4, 512


def torch_twin(torch, block):
    """A PyTorch encoder layer holding the same weights as the saessak ``block``."""
    layer = torch.nn.TransformerEncoderLayer(d_model=D_MODEL, nhead=HEADS,
                                             dim_feedforward=FFN, batch_first=True,
                                             dropout=0.0)
    mha = block.self_attention_layer
    d = D_MODEL

    def t(a):
        return torch.tensor(np.ascontiguousarray(a))

    # PyTorch keeps (out, in) matrices; saessak keeps Keras's (in, ..., out) kernels.
    in_w = [mha.query_dense, mha.key_dense, mha.value_dense]
    with torch.no_grad():
        layer.self_attn.in_proj_weight.copy_(t(np.concatenate(
            [dense.kernel.numpy().reshape(d, d).T for dense in in_w])))
        layer.self_attn.in_proj_bias.copy_(t(np.concatenate(
            [dense.bias.numpy().reshape(d) for dense in in_w])))
        layer.self_attn.out_proj.weight.copy_(t(mha.output_dense.kernel.numpy()
                                                .reshape(d, d).T))
        layer.self_attn.out_proj.bias.copy_(t(mha.output_dense.bias.numpy()))
        layer.linear1.weight.copy_(t(block.feedforward_intermediate_dense.kernel.numpy().T))
        layer.linear1.bias.copy_(t(block.feedforward_intermediate_dense.bias.numpy()))
        layer.linear2.weight.copy_(t(block.feedforward_output_dense.kernel.numpy().T))
        layer.linear2.bias.copy_(t(block.feedforward_output_dense.bias.numpy()))
        for norm, ours in ((layer.norm1, block.self_attention_layer_norm),
                           (layer.norm2, block.feedforward_layer_norm)):
            norm.weight.copy_(t(ours.gamma.numpy()))
            norm.bias.copy_(t(ours.beta.numpy()))
    return layer


def main(args):
    print(f"machine: {machine_line()}")
    print(f"encoder block: batch {BATCH}, length {LENGTH}, d_model {D_MODEL}, {HEADS} heads, "
          f"MLP {FFN}; forward + backward, float32; median of {args.repeat} runs")

    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((BATCH, LENGTH, D_MODEL)).astype(np.float32)
    direction = rng.standard_normal((BATCH, LENGTH, D_MODEL)).astype(np.float32)

    saessak.set_random_seed(0)
    block = TransformerEncoder(num_heads=HEADS, intermediate_dim=FFN, dropout=0.0)
    block.build((None, LENGTH, D_MODEL))
    weights = block.trainable_weights
    x = saessak.Tensor(x_np, requires_grad=True)
    r = saessak.Tensor(direction)

    def ours():
        for w in weights:
            w.grad = None
        x.grad = None
        y = block(x, training=True)
        (y * r).sum().backward()
        return y

    med, lo, hi = median_time(ours, repeat=args.repeat, warmup=2)
    print(f"saessak : {med * 1e3:8.2f} ms  (min {lo * 1e3:.2f}, max {hi * 1e3:.2f})")

    torch = try_import("torch")
    if torch is None:
        print("pytorch : skipped (not installed; pip install torch)")
        return
    if args.threads:
        torch.set_num_threads(args.threads)
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"threads : numpy BLAS {blas}, torch {torch.get_num_threads()}")
    layer = torch_twin(torch, block)
    tx = torch.tensor(x_np, requires_grad=True)
    tr = torch.tensor(direction)

    def theirs():
        layer.zero_grad(set_to_none=True)
        tx.grad = None
        y = layer(tx)
        (y * tr).sum().backward()
        return y

    t_med, t_lo, t_hi = median_time(theirs, repeat=args.repeat, warmup=2)
    print(f"pytorch : {t_med * 1e3:8.2f} ms  (min {t_lo * 1e3:.2f}, max {t_hi * 1e3:.2f})")
    print(f"ratio   : saessak / pytorch = {med / t_med:.2f}  (below 1: saessak is faster)")

    y_ours, y_theirs = ours().numpy(), theirs().detach().numpy()
    gap_y = np.abs(y_ours - y_theirs).max()
    gap_g = np.abs(x.grad - tx.grad.numpy()).max()
    print(f"check   : max |output difference| {gap_y:.2e}, max |input-grad difference| "
          f"{gap_g:.2e}")


if __name__ == "__main__":
    main(ARGS)
