"""Make the ``more_*`` Keras fixtures under ``tests/fixtures/keras/`` with real Keras.

Run in an environment that has TensorFlow, Keras 3 and tf-keras (tf.keras 2)::

    /work/tfvenv/bin/python scripts/make_layer3d_fixtures.py [FAMILY ...]  # all, or those

Each family is a small model of the layers added in ``saessak.layers.reshaping_volume``,
``conv3d_transpose``, ``spectral_normalization``, ``reversible_embedding`` and
``attention.group_query_attention``, with fixed random weights (seed below):

- ``more_<family>.keras``   the Keras 3 archive;
- ``more_<family>_tk2.h5``  the same model and weights saved by tf.keras 2, for the layers
                            tf.keras 2 has (the volume layers, SpectralNormalization);
- ``more_<family>.npz``     the inputs ``x`` (or ``x_0``, ``x_1``, ... for several) and
                            Keras 3's predictions ``keras3`` (and tf.keras 2's ``tk2``).

For ``spectral*`` the npz also holds what one *training* call does, from the saved state:
``keras3_train`` (the outputs of ``model(x, training=True)``) and ``keras3_after_<i>`` (the
model's weights after it, in ``model.weights`` order), and ``tk2_train`` (tf.keras 2's
outputs of that call). Keras 3 casts SpectralNormalization's output to its input's dtype, so
its ``spectral_embedding`` predictions are int32-truncated vectors; tf.keras 2's are not.
TensorFlow's CPU kernels have no dilated or channels-first Conv3DTranspose, so the files
hold none (the tests check those against Conv3D's adjoint instead).

Families: volume (channels last), volume_cf (channels first), spectral,
spectral_embedding, reversible_tied, reversible_untied, gqa, gqa_masked.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["KERAS_BACKEND"] = "tensorflow"
# tf_keras's SpectralNormalization reaches for tf.keras.layers.InputSpec: tf.keras must be
# tf_keras itself, not Keras 3
os.environ["TF_USE_LEGACY_KERAS"] = "1"

import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras")
SEED = 41


# --- the models: build(k) with k either keras (3) or tf_keras (2) -------------------------------


def _volume(k):
    L = k.layers
    i = k.Input((2, 3, 2, 2))
    x = L.ZeroPadding3D(((1, 0), (2, 1), (0, 2)))(i)
    x = L.Conv3DTranspose(3, (2, 3, 2), strides=(2, 1, 2), padding="same",
                          activation="tanh")(x)
    x = L.Cropping3D(((1, 2), (0, 1), (2, 0)))(x)
    x = L.Conv3DTranspose(2, 2, strides=(2, 1, 2), output_padding=(1, 0, 1))(x)
    x = L.Conv3DTranspose(2, (3, 2, 2), use_bias=False)(x)
    x = L.Cropping3D(2)(x)
    return k.Model(i, L.UpSampling3D((1, 2, 1))(x), name="more_volume")


def _volume_cf(k):
    L = k.layers
    i = k.Input((2, 3, 4, 5))
    x = L.ZeroPadding3D((1, 2, 0), data_format="channels_first")(i)
    x = L.Cropping3D(((0, 1), (1, 1), (2, 1)), data_format="channels_first")(x)
    x = L.UpSampling3D((2, 1, 2), data_format="channels_first")(x)
    return k.Model(i, x, name="more_volume_cf")


def _spectral(k):
    L = k.layers
    i = k.Input((6, 6, 2))
    x = L.SpectralNormalization(L.Conv2D(3, 2, activation="relu"))(i)
    x = L.Flatten()(x)
    x = L.SpectralNormalization(L.Dense(4), power_iterations=3)(x)
    return k.Model(i, x, name="more_spectral")


def _spectral_embedding(k):
    L = k.layers
    i = k.Input((5,), dtype="int32")
    x = L.SpectralNormalization(L.Embedding(9, 4), power_iterations=2)(i)
    return k.Model(i, L.SpectralNormalization(L.Dense(2))(x), name="more_spectral_embedding")


def _reversible_tied(k):
    L = k.layers
    i = k.Input((5,), dtype="int32")
    emb = L.ReversibleEmbedding(11, 4, logit_soft_cap=2.5)
    h = L.Dense(4, activation="tanh")(emb(i))
    return k.Model(i, emb(h, reverse=True), name="more_reversible_tied")


def _reversible_untied(k):
    L = k.layers
    i = k.Input((6,), dtype="int32")
    emb = L.ReversibleEmbedding(8, 3, tie_weights=False, mask_zero=True)
    h = emb(i)
    h = L.LSTM(3, return_sequences=True)(h)
    return k.Model(i, emb(h, reverse=True), name="more_reversible_untied")


def _gqa(k):
    L = k.layers
    q = k.Input((5, 8))
    v = k.Input((6, 8))
    x = L.GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=2)(
        q, v, L.Dense(5)(v))
    x = L.GroupQueryAttention(head_dim=2, num_query_heads=3, num_key_value_heads=1,
                              use_bias=False, use_gate=True, sliding_window=2)(
        x, x, use_causal_mask=True)
    x = L.GroupQueryAttention(head_dim=2, num_query_heads=2, num_key_value_heads=2)(x, x)
    return k.Model([q, v], x, name="more_gqa")


def _gqa_masked(k):
    L = k.layers
    i = k.Input((6,), dtype="int32")
    x = L.Embedding(10, 6, mask_zero=True)(i)
    x = L.GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2)(x, x)
    return k.Model(i, x, name="more_gqa_masked")


MODELS = {"volume": _volume, "volume_cf": _volume_cf, "spectral": _spectral,
          "spectral_embedding": _spectral_embedding, "reversible_tied": _reversible_tied,
          "reversible_untied": _reversible_untied, "gqa": _gqa, "gqa_masked": _gqa_masked}
TK2 = {"volume", "volume_cf", "spectral", "spectral_embedding"}  # tf.keras 2 has these


def _randomize(model, rng):
    model.set_weights([rng.normal(scale=0.5, size=tuple(w.shape)).astype("float32")
                       for w in model.weights])


def _copy_weights(k3, k2):
    """Keras 3's weights into the tf.keras 2 model, layer by layer, matched by the last part
    of their names (the two order a wrapper's weights differently)."""
    for a, b in zip(k3.layers, k2.layers):
        mine = {w.path.split("/")[-1]: w.numpy() for w in a.weights}
        b.set_weights([mine[w.name.split(":")[0].split("/")[-1]] for w in b.weights])


def _inputs(name, model, rng):
    xs = []
    for t in model.inputs:
        shape = (2,) + tuple(t.shape[1:])
        if "int" in str(t.dtype):
            high = 9 if name.startswith("spectral") else 8
            ids = rng.integers(1, high, size=shape)
            if name in ("reversible_untied", "gqa_masked"):
                ids[0, -2:] = 0  # padding at the end of the first sequence
            xs.append(ids.astype("int32"))
        else:
            xs.append(rng.normal(size=shape).astype("float32"))
    return xs


def _arrays(xs):
    return {"x": xs[0]} if len(xs) == 1 else {f"x_{i}": x for i, x in enumerate(xs)}


def main():
    import keras
    import tf_keras

    os.makedirs(OUT, exist_ok=True)
    only = sys.argv[1:]
    for name, build in MODELS.items():
        if only and name not in only:
            continue
        rng = np.random.default_rng(SEED)
        k3 = build(keras)
        _randomize(k3, rng)
        xs = _inputs(name, k3, rng)
        feed = xs[0] if len(xs) == 1 else xs
        out = {**_arrays(xs), "keras3": np.asarray(k3.predict(feed, verbose=0))}
        k3.save(os.path.join(OUT, f"more_{name}.keras"))
        if name.startswith("spectral"):
            out["keras3_train"] = np.asarray(k3(feed, training=True))
            for i, w in enumerate(k3.get_weights()):
                out[f"keras3_after_{i}"] = w
        if name in TK2:
            k2 = build(tf_keras)
            # the saved state: a training call has changed the spectral models' weights
            saved = keras.models.load_model(os.path.join(OUT, f"more_{name}.keras"))
            _copy_weights(saved, k2)
            out["tk2"] = np.asarray(k2.predict(feed, verbose=0))
            k2.save(os.path.join(OUT, f"more_{name}_tk2.h5"))
            if name.startswith("spectral"):
                out["tk2_train"] = np.asarray(k2(feed, training=True))
            print(f"{name}: |keras3 - tk2| = {np.abs(out['keras3'] - out['tk2']).max():.2e}")
        np.savez(os.path.join(OUT, f"more_{name}.npz"), **out)
        print(f"more_{name}: {k3.count_params()} params, output {out['keras3'].shape}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
