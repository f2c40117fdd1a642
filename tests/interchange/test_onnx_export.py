"""saessak.onnx.export: each layer family, run by onnxruntime, gives predict's outputs
within 1e-5."""

import os

import numpy as np
import pytest

import saessak as keras
from saessak import layers

onnxruntime = pytest.importorskip("onnxruntime", reason="ONNX checks need saessak[onnx]")
pytest.importorskip("onnx", reason="ONNX export needs saessak[onnx]")
from saessak import onnx as saessak_onnx  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")
RNG = np.random.default_rng(15)


def _randomize(model):
    weights = []
    for w in model.weights:
        a = RNG.normal(scale=0.5, size=w.shape).astype("float32")
        if "variance" in w.path:
            a = np.abs(a) + 0.5
        weights.append(a)
    model.set_weights(weights)
    return model


def check(model, *inputs, tmp_path, atol=1e-5):
    path = saessak_onnx.export(model, tmp_path / "m.onnx")
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feed = {i.name: x for i, x in zip(session.get_inputs(), inputs)}
    got = session.run(None, feed)
    want = model.predict(list(inputs) if len(inputs) > 1 else inputs[0], verbose=0)
    want = want if isinstance(want, list) else [want]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=0, atol=atol)


def _tokens(batch=4, steps=7, vocab=20):
    x = RNG.integers(1, vocab, size=(batch, steps)).astype("int32")
    x[1, :3] = 0   # pre-padding, as pad_sequences makes
    x[2, 5:] = 0   # post-padding
    return x


@pytest.mark.parametrize("family", ["mlp", "conv2d", "conv1d", "rnn", "rnn_v1",
                                    "bidirectional", "attention", "nested"])
def test_keras_fixture_models(tmp_path, family):
    pytest.importorskip("h5py", reason="the fixtures are Keras files (saessak[h5])")
    model = keras.models.load_model(os.path.join(FIXTURES, f"{family}.keras"))
    with np.load(os.path.join(FIXTURES, f"{family}.npz")) as data:
        check(model, data["x"], tmp_path=tmp_path)


@pytest.mark.parametrize("act", ["relu", "sigmoid", "tanh", "softmax", "elu", "selu",
                                 "softplus", "softsign", "swish", "gelu", "relu6", "linear"])
def test_dense_activations_and_dropout(tmp_path, act):
    model = _randomize(keras.Sequential([keras.Input((3, 5)), layers.Dense(4, activation=act),
                                         layers.Dropout(0.5), layers.Dense(2)]))
    check(model, RNG.normal(size=(2, 3, 5)).astype("float32"), tmp_path=tmp_path)


def test_activation_layers(tmp_path):
    model = _randomize(keras.Sequential([
        keras.Input((6,)), layers.Dense(6), layers.ReLU(max_value=1.5, negative_slope=0.1),
        layers.Dense(6), layers.LeakyReLU(), layers.Dense(4), layers.Softmax()]))
    check(model, RNG.normal(size=(3, 6)).astype("float32"), tmp_path=tmp_path)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv2d_pooling_batchnorm(tmp_path, padding):
    model = _randomize(keras.Sequential([
        keras.Input((9, 9, 2)),
        layers.Conv2D(3, 3, strides=2, padding=padding, activation="relu"),
        layers.BatchNormalization(),
        layers.DepthwiseConv2D(2, padding=padding, depth_multiplier=2),
        layers.SeparableConv2D(2, 2, padding=padding),
        layers.AveragePooling2D(2, padding=padding) if padding == "same" else
        layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(2)]))
    check(model, RNG.normal(size=(2, 9, 9, 2)).astype("float32"), tmp_path=tmp_path)


def test_conv1d_causal_dilated_and_global_pooling(tmp_path):
    inputs = keras.Input((10, 3))
    x = layers.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="tanh")(inputs)
    x = layers.MaxPooling1D(2, padding="same")(x)
    x = layers.Conv1D(3, 2, padding="same")(x)
    out = layers.Concatenate()([layers.GlobalMaxPooling1D()(x), layers.GlobalAveragePooling1D()(x)])
    model = _randomize(keras.Model(inputs, out))
    check(model, RNG.normal(size=(2, 10, 3)).astype("float32"), tmp_path=tmp_path)


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_recurrent_with_masks(tmp_path, kind, go_backwards):
    inputs = keras.Input((7,), dtype="int32")
    x = layers.Embedding(20, 4, mask_zero=True)(inputs)
    x = getattr(layers, kind)(5, return_sequences=True, go_backwards=go_backwards)(x)
    x = getattr(layers, kind)(3)(x)
    model = _randomize(keras.Model(inputs, layers.Dense(2)(x)))
    check(model, _tokens(), tmp_path=tmp_path)


def test_gru_reset_before_and_return_state(tmp_path):
    inputs = keras.Input((6, 3))
    seq, h, c = layers.LSTM(4, return_sequences=True, return_state=True)(inputs)
    y = layers.GRU(3, reset_after=False, activation="relu")(seq)
    model = _randomize(keras.Model(inputs, [y, h, c]))
    check(model, RNG.normal(size=(2, 6, 3)).astype("float32"), tmp_path=tmp_path)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave"])
def test_bidirectional_masked(tmp_path, merge_mode):
    inputs = keras.Input((7,), dtype="int32")
    x = layers.Embedding(20, 4, mask_zero=True)(inputs)
    x = layers.Bidirectional(layers.GRU(3, return_sequences=True), merge_mode=merge_mode)(x)
    x = layers.Bidirectional(layers.LSTM(2))(x)
    model = _randomize(keras.Model(inputs, x))
    check(model, _tokens(), tmp_path=tmp_path)


def test_masking_layer_and_masked_mean(tmp_path):
    inputs = keras.Input((6, 3))
    x = layers.Masking(0.0)(inputs)
    x = layers.SimpleRNN(4, return_sequences=True)(x)
    x = layers.GlobalAveragePooling1D()(x)
    model = _randomize(keras.Model(inputs, x))
    data = RNG.normal(size=(3, 6, 3)).astype("float32")
    data[0, :2] = 0.0
    data[2, 4:] = 0.0
    check(model, data, tmp_path=tmp_path)


@pytest.mark.parametrize("causal", [False, True])
def test_transformer_block(tmp_path, causal):
    inputs = keras.Input((6,), dtype="int32")
    x = layers.Embedding(20, 8, mask_zero=True)(inputs)
    a = layers.MultiHeadAttention(num_heads=2, key_dim=4)(x, x, use_causal_mask=causal)
    x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, a]))
    f = layers.Dense(8)(layers.Dense(16, activation="relu")(x))
    x = layers.LayerNormalization()(layers.Add()([x, layers.Dropout(0.1)(f)]))
    model = _randomize(keras.Model(inputs, layers.GlobalAveragePooling1D()(x)))
    check(model, _tokens(steps=6), tmp_path=tmp_path)


def test_cross_attention_two_inputs(tmp_path):
    q_in, v_in = keras.Input((4, 5)), keras.Input((6, 3))
    y = layers.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=4)(q_in, v_in)
    model = _randomize(keras.Model([q_in, v_in], y))
    check(model, RNG.normal(size=(2, 4, 5)).astype("float32"),
          RNG.normal(size=(2, 6, 3)).astype("float32"), tmp_path=tmp_path)


def test_mobilenet_v2(tmp_path):
    model = keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, weights=None,
                                           classes=10)
    check(model, RNG.uniform(-1, 1, size=(1, 96, 96, 3)).astype("float32"), tmp_path=tmp_path)


def test_unsupported_layer_is_named(tmp_path):
    model = keras.Sequential([keras.Input((4, 8)),
                              layers.TransformerEncoder(num_heads=2, intermediate_dim=8)])
    with pytest.raises(ValueError, match=r"TransformerEncoder.*no ONNX converter"):
        saessak_onnx.export(model, tmp_path / "t.onnx")
    assert not (tmp_path / "t.onnx").exists()


def test_cli_export(tmp_path, capsys):
    pytest.importorskip("h5py", reason="Keras's .keras/.h5 formats need h5py (saessak[h5])")
    from saessak.apps.cli import main
    model = _randomize(keras.Sequential([keras.Input((3,)), layers.Dense(2)]))
    model.save(tmp_path / "m.keras")
    assert main(["export", str(tmp_path / "m.keras"), "--to", "onnx"]) == 0
    assert "wrote" in capsys.readouterr().out
    session = onnxruntime.InferenceSession(str(tmp_path / "m.onnx"),
                                           providers=["CPUExecutionProvider"])
    x = RNG.normal(size=(2, 3)).astype("float32")
    np.testing.assert_allclose(session.run(None, {session.get_inputs()[0].name: x})[0],
                               model.predict(x, verbose=0), atol=1e-5)
    assert main(["export", str(tmp_path / "none.keras")]) == 2
    assert "no model file" in capsys.readouterr().err


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("kernel,strides,output_padding,dilation", [
    (3, 2, None, 1), (2, 2, None, 1), (1, 3, None, 1), (4, 1, None, 2), (3, 2, 1, 1)])
def test_transposed_convolutions(tmp_path, padding, kernel, strides, output_padding,
                                 dilation):
    model = _randomize(keras.Sequential([
        keras.Input((5, 6, 2)),
        layers.Conv2DTranspose(3, kernel, strides=strides, padding=padding,
                               output_padding=output_padding, dilation_rate=dilation,
                               activation="relu")]))
    check(model, RNG.normal(size=(2, 5, 6, 2)).astype("float32"), tmp_path=tmp_path)
    model = _randomize(keras.Sequential([
        keras.Input((7, 2)),
        layers.Conv1DTranspose(2, kernel, strides=strides, padding=padding,
                               output_padding=output_padding, dilation_rate=dilation)]))
    check(model, RNG.normal(size=(2, 7, 2)).astype("float32"), tmp_path=tmp_path)


def test_conv3d(tmp_path):
    model = _randomize(keras.Sequential([
        keras.Input((4, 5, 6, 2)), layers.Conv3D(3, 2, padding="same", activation="tanh"),
        layers.Conv3D(2, (2, 3, 2), strides=(1, 2, 1)), layers.Flatten(), layers.Dense(2)]))
    check(model, RNG.normal(size=(2, 4, 5, 6, 2)).astype("float32"), tmp_path=tmp_path)

