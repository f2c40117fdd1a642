"""Make the Keras fixture files under ``tests/fixtures/keras/`` with real Keras.

Run in an environment that has TensorFlow, Keras 3 and tf-keras (tf.keras 2)::

    /work/tfvenv/bin/python scripts/make_keras_fixtures.py [FAMILY ...]  # all, or only those

For each small model (one per layer family) it writes, with fixed seeds:

- ``<name>.keras``        Keras 3 archive (config.json + model.weights.h5);
- ``<name>.weights.h5``   Keras 3 weights-only file;
- ``<name>_tk2.h5``       tf.keras 2 HDF5 model (model_config + model_weights);
- ``<name>_tk2w.h5``      tf.keras 2 weights-only HDF5 file;
- ``<name>.npz``          the input ``x`` and the predictions of Keras 3 (``keras3``) and of
                          tf.keras 2 (``tk2``); the two models share the same weights.

and ``mobilenet_v2_035_96_notop_tk2w.h5`` (+ ``.npz``): a tf.keras 2 MobileNetV2 (alpha=0.35,
96x96, no top, random weights, as Keras's ImageNet weight files are laid out),
``custom_groupnorm.keras`` (a GroupNormalization that a test replaces through
``custom_objects``) and ``unsupported_rand_augment.keras``, a model with a layer
saessak lacks (RandAugment). ``... make_keras_fixtures.py others`` remakes only these
three; ``... unsupported`` only the last.

``... make_keras_fixtures.py lookups`` writes ``lookup_<case>.keras`` and ``lookups.npz``:
adapted preprocessing layers in Keras 3 files, where an adapted vocabulary is not in the
config but in the archive's ``assets/`` (``vocabulary.txt``) and TF-IDF weights are a
``vars`` entry named ``idf_weights``; the npz holds each case's input and Keras's output.
``... make_keras_fixtures.py ops`` writes ``ops_conv.npz`` (``keras.ops`` convolutions
and pools in Keras's signatures, channels first and last) and ``ops_image.npz``
(``keras.ops.image``), each with its fixed inputs and Keras's outputs;
``... optimizers`` writes ``optimizer_averaging.npz`` (``use_ema``,
``gradient_accumulation_steps``); ``... layers`` writes ``adaptive_pooling.keras``/``.npz``
(Keras 3 layers that tf.keras 2 lacks).
The tests never need TensorFlow: they read these files with h5py only.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras")
SEED = 15


def _mlp(k):
    L = k.layers
    return k.Sequential([k.Input((8,)), L.Dense(6, activation="relu", name="hidden"),
                         L.Dropout(0.3), L.Dense(3, activation="softmax", name="probs")],
                        name="mlp")


def _conv2d(k):
    L = k.layers
    i = k.Input((10, 10, 3), name="image")
    x = L.Conv2D(4, 3, padding="same", activation="relu")(i)
    x = L.BatchNormalization()(x)
    x = L.MaxPooling2D(2)(x)
    x = L.DepthwiseConv2D(3, padding="same", depth_multiplier=2)(x)
    x = L.SeparableConv2D(3, 2, activation="tanh")(x)
    x = L.AveragePooling2D(2)(x)
    x = L.ZeroPadding2D(1)(x)
    x = L.GlobalAveragePooling2D()(x)
    return k.Model(i, L.Dense(2)(x), name="conv2d")


def _conv1d(k):
    L = k.layers
    i = k.Input((12, 3))
    x = L.Conv1D(4, 3, activation="tanh")(i)
    x = L.MaxPooling1D(2)(x)
    x = L.Conv1D(3, 2, padding="causal", dilation_rate=2)(x)
    x = L.AveragePooling1D(2)(x)
    a = L.GlobalMaxPooling1D()(x)
    b = L.GlobalAveragePooling1D()(x)
    x = L.Concatenate()([a, b])
    x = L.Flatten()(L.Reshape((3, 2))(x))
    return k.Model(i, L.Dense(2, activation="sigmoid")(x), name="conv1d")


def _rnn(k):
    L = k.layers
    i = k.Input((7,), dtype="int32")
    x = L.Embedding(20, 4, mask_zero=True)(i)
    x = L.SimpleRNN(5, return_sequences=True)(x)
    x = L.LSTM(4, return_sequences=True, go_backwards=True)(x)
    x = L.GRU(3)(x)
    return k.Model(i, L.Dense(2)(x), name="rnn")


def _rnn_v1(k):
    """Keras 1/2's conventions: GRU without reset_after, an LSTM without bias."""
    L = k.layers
    i = k.Input((6, 3))
    x = L.GRU(4, reset_after=False, return_sequences=True)(i)
    x = L.LSTM(3, use_bias=False)(x)
    return k.Model(i, L.Dense(1)(x), name="rnn_v1")


def _bidirectional(k):
    L = k.layers
    i = k.Input((6,), dtype="int32")
    x = L.Embedding(15, 4, mask_zero=True)(i)
    x = L.Bidirectional(L.LSTM(3, return_sequences=True))(x)
    x = L.Bidirectional(L.GRU(2), merge_mode="sum")(x)
    return k.Model(i, L.Dense(1, activation="sigmoid")(x), name="bidirectional")


def _attention(k):
    L = k.layers
    i = k.Input((5, 4))
    x = L.Dense(6)(i)
    a = L.Attention(use_scale=True)([x, x])
    x = L.LayerNormalization()(L.Add()([x, a]))
    m = L.MultiHeadAttention(num_heads=2, key_dim=3)(x, x)
    x = L.LayerNormalization(epsilon=1e-5)(L.Add()([x, m]))
    x = L.GlobalAveragePooling1D()(x)
    return k.Model(i, L.Dense(2)(x), name="attention")


def _nested(k):
    """A functional model used as a layer of a Sequential (transfer learning's shape)."""
    L = k.layers
    i = k.Input((5,))
    x = L.BatchNormalization()(L.Dense(4, activation="relu")(i))
    base = k.Model(i, x, name="base")
    base.trainable = False
    return k.Sequential([k.Input((5,)), base, L.Dense(2)], name="nested")


def _video(k):
    """Conv3D, then per frame a Conv2DTranspose (TimeDistributed), then AdditiveAttention
    over the frames."""
    L = k.layers
    i = k.Input((4, 6, 6, 2), name="clip")
    x = L.Conv3D(3, 2, activation="relu")(i)
    x = L.TimeDistributed(L.Conv2DTranspose(2, 3, strides=2, padding="same"))(x)
    x = L.TimeDistributed(L.Conv2DTranspose(2, 2, use_bias=False))(x)
    x = L.TimeDistributed(L.GlobalAveragePooling2D())(x)
    x = L.TimeDistributed(L.Dense(4, activation="tanh"))(x)
    a = L.AdditiveAttention()([x, x])
    x = L.GlobalAveragePooling1D()(L.Add()([x, a]))
    return k.Model(i, L.Dense(2)(x), name="video")


def _norms(k):
    """GroupNormalization (groups; one per channel along axis 1, without beta) and
    UnitNormalization over two axes."""
    L = k.layers
    i = k.Input((4, 4, 6))
    x = L.GroupNormalization(groups=3)(L.Conv2D(6, 1)(i))
    x = L.GroupNormalization(groups=-1, axis=1, center=False)(x)
    x = L.UnitNormalization(axis=[1, 2])(x)
    return k.Model(i, L.Dense(3)(L.Flatten()(x)), name="norms")


def _conv_lstm(k):
    """ConvLSTM2D over short clips, then a per-frame convolution (next-frame prediction)."""
    L = k.layers
    i = k.Input((3, 6, 6, 1))
    x = L.ConvLSTM2D(3, (3, 3), padding="same", return_sequences=True)(i)
    x = L.Conv3D(1, (1, 3, 3), padding="same", activation="sigmoid")(x)
    return k.Model(i, x, name="conv_lstm")


MODELS = {"mlp": _mlp, "conv2d": _conv2d, "conv1d": _conv1d, "rnn": _rnn, "rnn_v1": _rnn_v1,
          "bidirectional": _bidirectional, "attention": _attention, "nested": _nested,
          "video": _video, "norms": _norms, "conv_lstm": _conv_lstm}


def _inputs(name, model, rng):
    shape = (3,) + tuple(model.inputs[0].shape[1:])
    if name in ("rnn", "bidirectional"):
        vocab = 20 if name == "rnn" else 15
        x = rng.integers(1, vocab, size=shape).astype("int32")
        x[1, 4:] = 0  # padding, so the masks matter
        x[2, 2:] = 0
        return x
    return rng.normal(size=shape).astype("float32")


def _randomize(model, rng):
    """Non-trivial weights: random everywhere, positive variances."""
    weights = []
    for w in model.weights:
        a = rng.normal(scale=0.5, size=tuple(w.shape)).astype("float32")
        if "variance" in w.name or "variance" in getattr(w, "path", ""):
            a = np.abs(a) + 0.5
        weights.append(a)
    model.set_weights(weights)


def _randomize_batch_norm(model, rng):
    """Keras's own initial kernels, with batch-norm statistics of a trained scale (random
    weights of scale 0.5 everywhere grow activations through 17 blocks to where float32
    rounding alone differs by 1e-4)."""
    weights = []
    for w in model.weights:
        a = w.numpy()
        if any(k in w.name for k in ("gamma", "moving_variance")):
            a = rng.uniform(0.5, 1.5, size=a.shape).astype("float32")
        elif any(k in w.name for k in ("beta", "moving_mean")):
            a = rng.normal(scale=0.1, size=a.shape).astype("float32")
        weights.append(a)
    model.set_weights(weights)


_TEXTS = ["The cat sat on the mat.", "the dog ran far away", "A cat and a dog!",
          "the end of the story", "cat cat dog"]


def _lookups(k):
    """Keras 3 files of adapted preprocessing layers, and their outputs on a few inputs."""
    import tensorflow as tf

    L = k.layers
    texts = np.array(_TEXTS)
    words = np.array([["cat", "dog"], ["the", "zebra"], ["a", "cat"]])
    ints = np.array([[3, 7], [7, 7], [12, 5]], dtype="int64")
    numbers = np.array([[0.0, 5.0], [1.5, -2.0], [4.0, 9.0], [2.0, 2.0]], dtype="float32")

    def text_int():
        tv = L.TextVectorization(max_tokens=12, output_sequence_length=6)
        tv.adapt(texts)
        return tv, texts

    def text_tfidf():
        tv = L.TextVectorization(max_tokens=10, output_mode="tf_idf", ngrams=2)
        tv.adapt(texts)
        return tv, texts

    def strings():
        sl = L.StringLookup(num_oov_indices=2, output_mode="multi_hot")
        sl.adapt(np.array(["cat", "dog", "dog", "the", "a", "a", "a"]))
        return sl, words

    def integers():
        il = L.IntegerLookup(max_tokens=6)
        il.adapt(np.array([7, 7, 7, 3, 3, 5, 9, 11]))
        return il, ints

    def numeric():
        norm = L.Normalization()
        norm.adapt(numbers)
        return norm, numbers

    def bins():
        disc = L.Discretization(num_bins=3)
        disc.adapt(numbers.ravel())
        return disc, numbers

    out = {}
    for case, make in (("text_int", text_int), ("text_tfidf", text_tfidf),
                       ("strings", strings), ("integers", integers),
                       ("normalization", numeric), ("discretization", bins)):
        layer, x = make()
        i = k.Input(x.shape[1:], dtype="string" if x.dtype.kind == "U" else x.dtype.name)
        model = k.Model(i, layer(i), name=case)
        model.save(os.path.join(OUT, f"lookup_{case}.keras"))
        out[f"{case}_x"] = x
        out[f"{case}_y"] = np.asarray(model(tf.constant(x)))
        print(f"lookup_{case}: output {out[f'{case}_y'].shape}")
    np.savez(os.path.join(OUT, "lookups.npz"), **out)


def _ops_conv(k):
    """``keras.ops`` convolutions and pools (Keras's signatures, channels first and last)
    on fixed random inputs: ``ops_conv.npz`` holds the inputs and each call's output."""
    rng = np.random.default_rng(0)
    arrays = {"x": rng.normal(size=(2, 4, 7, 6)), "kernel": rng.normal(size=(3, 3, 2, 6)),
              "depthwise": rng.normal(size=(3, 3, 4, 2)),
              "pointwise": rng.normal(size=(1, 1, 8, 3)),
              "transpose": rng.normal(size=(3, 3, 5, 4))}
    a = {name: v.astype("float32") for name, v in arrays.items()}
    x_last = np.transpose(a["x"], (0, 2, 3, 1))
    ops = k.ops
    out = {
        "conv_first": ops.conv(a["x"], a["kernel"], padding="same",
                               data_format="channels_first"),  # 2 groups
        "conv_last": ops.conv(x_last, a["kernel"], strides=2),
        "depthwise": ops.depthwise_conv(x_last, a["depthwise"], padding="same",
                                        dilation_rate=2),
        "separable": ops.separable_conv(x_last, a["depthwise"], a["pointwise"]),
        "separable_first": ops.separable_conv(a["x"], a["depthwise"], a["pointwise"],
                                              padding="same", data_format="channels_first"),
        "transpose": ops.conv_transpose(x_last, a["transpose"], strides=2, padding="same"),
        "max_pool_first": ops.max_pool(a["x"], 2, padding="same",
                                       data_format="channels_first"),
        "average_pool": ops.average_pool(x_last, (3, 2), strides=(2, 1), padding="same"),
    }
    np.savez(os.path.join(OUT, "ops_conv.npz"), **{f"in_{n}": v for n, v in a.items()},
             **{name: np.asarray(v) for name, v in out.items()})
    print(f"ops_conv: {len(out)} calls")


def _ops_image(k):
    """``keras.ops.image`` (patches, crops, pads, colour spaces, affine transforms) on
    fixed random images: ``ops_image.npz`` holds the inputs and each call's output. Wrap
    fill and exact half-pixel ties are left out: TensorFlow's kernel clamps a wrapped
    coordinate instead of interpolating across the seam, and rounds ties in float32."""
    rng = np.random.default_rng(0)
    x = rng.random((2, 7, 9, 3)).astype("float32")
    x_first = np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2)))
    transform = np.array([[1.1, 0.2, -1.0, -0.1, 0.9, 0.5, 0, 0],
                          [0.8, 0, 1.5, 0, 1.2, -2.0, 0, 0]], "float32")
    no_ties = np.array([0.913, 0.107, 0.291, 0.047, 1.093, -0.689, 0, 0], "float32")
    image = k.ops.image
    out = {
        "patches": image.extract_patches(x, (2, 3)),
        "patches_overlap": image.extract_patches(x, 3, strides=2, padding="same"),
        "patches_dilated": image.extract_patches(x, 2, strides=1, dilation_rate=2),
        "patches_single": image.extract_patches(x[0], 2),
        "crop": image.crop_images(x, top_cropping=1, bottom_cropping=2, left_cropping=2,
                                  target_width=5),
        "pad_first": image.pad_images(x_first, top_padding=1, target_height=10,
                                      right_padding=2, left_padding=0,
                                      data_format="channels_first"),
        "gray": image.rgb_to_grayscale(x),
        "gray_first": image.rgb_to_grayscale(x_first, data_format="channels_first"),
        "hsv": image.rgb_to_hsv(x),
        "rgb": image.hsv_to_rgb(x),
        "affine_nearest_pixels": image.affine_transform(x, no_ties, interpolation="nearest"),
        # square kernels only: for others TensorFlow's kernel is reshaped, not transposed
        "blur": image.gaussian_blur(x),
        "blur_5": image.gaussian_blur(x, kernel_size=(5, 5), sigma=(2.0, 0.7)),
        "blur_single": image.gaussian_blur(x[0], kernel_size=(3, 3), sigma=(0.5, 1.5)),
        "sobel": image.sobel_edges(x),
    }
    for mode in ("constant", "nearest", "reflect"):
        out[f"affine_{mode}"] = image.affine_transform(x, transform, fill_mode=mode,
                                                       fill_value=0.5)
    np.savez(os.path.join(OUT, "ops_image.npz"), in_x=x, in_transform=transform,
             in_no_ties=no_ties, **{name: np.asarray(v) for name, v in out.items()})
    print(f"ops_image: {len(out)} calls")


OPTIMIZER_CASES = {  # name -> (class, arguments), for _optimizer_averaging
    "adam_ema": ("Adam", {"learning_rate": 0.05, "use_ema": True, "ema_momentum": 0.9}),
    "adam_ema_overwrite": ("Adam", {"learning_rate": 0.05, "use_ema": True,
                                    "ema_momentum": 0.8, "ema_overwrite_frequency": 3}),
    "sgd_accumulate": ("SGD", {"learning_rate": 0.1, "momentum": 0.5,
                               "gradient_accumulation_steps": 2}),
    "adam_accumulate": ("Adam", {"learning_rate": 0.05, "gradient_accumulation_steps": 2}),
    "adamw_both": ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.01, "clipnorm": 1.0,
                             "use_ema": True, "ema_momentum": 0.8,
                             "ema_overwrite_frequency": 3, "gradient_accumulation_steps": 2}),
}


def _optimizer_averaging(k):
    """Keras 3 optimizers with ``use_ema`` and ``gradient_accumulation_steps``: one Dense
    layer fitted 3 epochs of 4 batches (no shuffling) from fixed weights;
    ``optimizer_averaging.npz`` holds the data, the start and each case's final weights
    and losses."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4)).astype("float32")
    y = rng.normal(size=(16, 2)).astype("float32")
    kernel = rng.normal(size=(4, 2)).astype("float32")
    out = {"x": x, "y": y, "kernel": kernel, "cases": np.array(json.dumps(OPTIMIZER_CASES))}
    for name, (cls, args) in OPTIMIZER_CASES.items():
        model = k.Sequential([k.Input((4,)), k.layers.Dense(2)])
        model.set_weights([kernel, np.zeros(2, "float32")])
        model.compile(getattr(k.optimizers, cls)(**args), "mse")
        history = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
        out[f"{name}_kernel"], out[f"{name}_bias"] = model.get_weights()
        out[f"{name}_loss"] = np.array(history.history["loss"])
    np.savez(os.path.join(OUT, "optimizer_averaging.npz"), **out)
    print(f"optimizer_averaging: {len(OPTIMIZER_CASES)} cases")


def _adaptive_pooling(k):
    """Keras 3's adaptive pooling layers (tf.keras 2 has none): ``adaptive_pooling.keras``
    and ``adaptive_pooling.npz`` (input and Keras's prediction)."""
    L = k.layers
    i = k.Input((9, 7, 3))
    a = L.AdaptiveAveragePooling2D((4, 3))(i)
    m = L.AdaptiveMaxPooling2D(2, data_format="channels_first")(L.Permute((3, 1, 2))(i))
    seq = L.AdaptiveMaxPooling1D(5)(L.Reshape((63, 3))(i))
    out = L.Concatenate()([L.Flatten()(a), L.Flatten()(m), L.Flatten()(seq)])
    model = k.Model(i, out, name="adaptive_pooling")
    x = np.random.default_rng(SEED).normal(size=(2, 9, 7, 3)).astype("float32")
    model.save(os.path.join(OUT, "adaptive_pooling.keras"))
    np.savez(os.path.join(OUT, "adaptive_pooling.npz"), x=x,
             keras3=np.asarray(model.predict(x, verbose=0)))
    print("adaptive_pooling: written")


def _conv_lstm_ranks(k):
    """ConvLSTM1D and ConvLSTM3D (Keras 3; tf.keras 2 has them too) with random weights:
    ``conv_lstm_1d.keras``/``conv_lstm_3d.keras`` and their ``.npz`` (input, prediction)."""
    rng = np.random.default_rng(SEED)
    L = k.layers
    cases = {
        "conv_lstm_1d": (k.Input((3, 7, 2)), lambda x: L.ConvLSTM1D(
            3, 3, padding="same", return_sequences=True)(x)),
        "conv_lstm_3d": (k.Input((2, 4, 5, 5, 1)), lambda x: L.ConvLSTM3D(
            2, (2, 3, 3), strides=(1, 2, 1), go_backwards=True)(x)),
    }
    for name, (i, body) in cases.items():
        model = k.Model(i, body(i), name=name)
        _randomize(model, rng)
        x = rng.normal(size=(2,) + tuple(i.shape[1:])).astype("float32")
        model.save(os.path.join(OUT, f"{name}.keras"))
        np.savez(os.path.join(OUT, f"{name}.npz"), x=x,
                 keras3=np.asarray(model.predict(x, verbose=0)))
    print("conv_lstm_1d, conv_lstm_3d: written")


def _unsupported(keras):
    """A model with a Keras 3 layer saessak lacks (RandAugment), for the clear error."""
    m = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.RandAugment()],
                         name="rand_augment_model")
    m.save(os.path.join(OUT, "unsupported_rand_augment.keras"))
    print("unsupported_rand_augment.keras: written")


def main():
    import keras
    import tf_keras

    os.makedirs(OUT, exist_ok=True)
    only = sys.argv[1:]  # e.g. `video`: remake only those families
    if not only or "lookups" in only:
        _lookups(keras)
    if not only or "ops" in only:
        _ops_conv(keras)
        _ops_image(keras)
    if not only or "optimizers" in only:
        _optimizer_averaging(keras)
    if not only or "unsupported" in only or "others" in only:
        _unsupported(keras)
    if not only or "layers" in only:
        _adaptive_pooling(keras)
        _conv_lstm_ranks(keras)
    for name, build in MODELS.items():
        if only and name not in only:
            continue
        rng = np.random.default_rng(SEED)
        k3 = build(keras)
        _randomize(k3, rng)
        x = _inputs(name, k3, rng)
        y3 = np.asarray(k3.predict(x, verbose=0))
        if name == "mlp":  # one compiled model, so the files carry compile settings
            k3.compile(optimizer=keras.optimizers.Adam(0.01),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        k3.save(os.path.join(OUT, f"{name}.keras"))
        k3.save_weights(os.path.join(OUT, f"{name}.weights.h5"))
        k2 = build(tf_keras)
        k2.set_weights(k3.get_weights())
        if name == "mlp":
            k2.compile(optimizer=tf_keras.optimizers.Adam(0.01),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        y2 = np.asarray(k2.predict(x, verbose=0))
        k2.save(os.path.join(OUT, f"{name}_tk2.h5"))
        k2.save_weights(os.path.join(OUT, f"{name}_tk2w.h5"))
        np.savez(os.path.join(OUT, f"{name}.npz"), x=x, keras3=y3, tk2=y2)
        print(f"{name}: {k3.count_params()} params, |keras3 - tk2| = "
              f"{np.abs(y3 - y2).max():.2e}")

    if only and "others" not in only:
        return 0
    rng = np.random.default_rng(SEED)
    tf_keras.utils.set_random_seed(SEED)
    mnet = tf_keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35,
                                             include_top=False, weights=None)
    _randomize_batch_norm(mnet, rng)
    x = rng.uniform(-1, 1, size=(1, 96, 96, 3)).astype("float32")
    mnet.save_weights(os.path.join(OUT, "mobilenet_v2_035_96_notop_tk2w.h5"))
    np.savez(os.path.join(OUT, "mobilenet_v2_035_96_notop.npz"), x=x,
             tk2=mnet.predict(x, verbose=0))
    print(f"mobilenet_v2 0.35/96 no top: {mnet.count_params()} params")

    k = keras
    m = k.Sequential([k.Input((4,)), k.layers.Dense(4), k.layers.GroupNormalization(2)],
                     name="groupnorm")
    m.save(os.path.join(OUT, "custom_groupnorm.keras"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
