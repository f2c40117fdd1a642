"""ReversibleEmbedding: the lookup and the reverse projection (tied and untied, soft-capped)
against NumPy, shapes and masks in both directions (also in functional models), gradients,
configs, errors, and models saved by Keras 3 (scripts/make_layer3d_fixtures.py) that must
predict as Keras."""

import os
import warnings

import numpy as np
import pytest

import saessak as keras
from saessak import Tensor, backend, grad_check
from saessak.layers import LSTM, Dense, Embedding
from saessak.layers.reversible_embedding import ReversibleEmbedding

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")
R = np.random.default_rng(5)
IDS = np.array([[1, 4, 0, 9], [3, 3, 7, 0]])


def test_forward_is_the_embedding_lookup():
    layer = ReversibleEmbedding(10, 3)
    y = layer(IDS).numpy()
    np.testing.assert_array_equal(y, layer.embeddings.numpy()[IDS])
    assert isinstance(layer, Embedding)
    assert [w.path for w in layer.weights] == [f"{layer.name}/embeddings"]


def test_reverse_tied_is_a_product_with_the_transposed_table():
    layer = ReversibleEmbedding(10, 3)
    layer.build(None)
    h = R.normal(size=(2, 4, 3)).astype("float32")
    logits = layer(h, reverse=True).numpy()
    assert logits.shape == (2, 4, 10)
    np.testing.assert_allclose(logits, h @ layer.embeddings.numpy().T, rtol=1e-6)
    np.testing.assert_array_equal(layer(h, True).numpy(), logits)  # reverse by position
    # the logits of a token's own vector are its squared norm, and so on
    e = layer.embeddings.numpy()
    np.testing.assert_allclose(layer(e[None, 2], reverse=True).numpy()[0, 2], e[2] @ e[2],
                               rtol=1e-6)


def test_reverse_untied_uses_its_own_weight():
    layer = ReversibleEmbedding(6, 4, tie_weights=False)
    layer.build(None)
    assert [(w.path.split("/")[-1], w.shape) for w in layer.weights] == [
        ("embeddings", (6, 4)), ("reverse_embeddings", (4, 6))]
    assert all(w.requires_grad for w in layer.weights)
    h = R.normal(size=(3, 4)).astype("float32")
    np.testing.assert_allclose(layer(h, reverse=True).numpy(),
                               h @ layer.reverse_embeddings.numpy(), rtol=1e-6)
    layer.reverse_embeddings.assign(np.zeros((4, 6)))
    assert not layer(h, reverse=True).numpy().any()  # not the embeddings any more


def test_logit_soft_cap_bounds_the_logits():
    layer = ReversibleEmbedding(5, 2, logit_soft_cap=1.5,
                                embeddings_initializer="random_normal")
    layer.build(None)
    h = 100 * R.normal(size=(4, 2)).astype("float32")
    raw = h @ layer.embeddings.numpy().T
    capped = layer(h, reverse=True).numpy()
    np.testing.assert_allclose(capped, 1.5 * np.tanh(raw / 1.5), rtol=1e-5, atol=1e-6)
    assert np.abs(capped).max() <= 1.5 and np.abs(raw).max() > 1.5


def test_reverse_dtype():
    layer = ReversibleEmbedding(5, 2, reverse_dtype="float64")
    layer.build(None)
    out = layer(np.ones((1, 2), "float32"), reverse=True)
    assert out.dtype == np.float64
    assert layer(np.array([[1]])).dtype == np.float32


def test_masks_go_forward_not_backward():
    layer = ReversibleEmbedding(10, 3, mask_zero=True)
    h = layer(IDS)
    np.testing.assert_array_equal(h._keras_mask, IDS != 0)
    assert getattr(layer(h, reverse=True), "_keras_mask", None) is None
    assert layer.compute_mask(IDS) is not None


def test_shapes_in_both_directions_also_in_a_functional_model():
    layer = ReversibleEmbedding(12, 4)
    assert layer.compute_output_shape((None, 5)) == (None, 5, 4)
    assert layer.compute_output_shape((None, 5, 4), reverse=True) == (None, 5, 12)
    ids = keras.Input((5,), dtype="int32")
    h = layer(ids)
    logits = layer(Dense(4)(h), reverse=True)
    assert h.shape == (None, 5, 4) and logits.shape == (None, 5, 12)
    model = keras.Model(ids, logits)
    assert model.output_shape == (None, 5, 12)
    assert model.predict(R.integers(0, 12, size=(2, 5)), verbose=0).shape == (2, 5, 12)
    assert len(model.weights) == 3  # the table, shared by both calls, and the Dense's two


def test_gradients_match_finite_differences():
    h = R.normal(size=(2, 3, 4))
    with backend.floatx_scope("float64"):
        for layer in (ReversibleEmbedding(6, 4, logit_soft_cap=0.7,
                                          embeddings_initializer="random_normal"),
                      ReversibleEmbedding(6, 4, tie_weights=False)):
            layer.build(None)
            result = grad_check(lambda t, layer=layer: layer(t, reverse=True), h,
                                wrt=layer.trainable_weights)
            assert result.ok, f"{layer.name}: {result}"
        # tied: the table gets gradients from both directions
        layer = ReversibleEmbedding(6, 4)
        layer.build(None)

        def both(t):
            return layer(layer(np.array([[1, 5, 1]])) + t, reverse=True)

        result = grad_check(both, R.normal(size=(1, 3, 4)), wrt=layer.trainable_weights)
        assert result.ok, str(result)


def test_a_tied_language_model_trains():
    ids = R.integers(0, 8, size=(32, 6))
    model_in = keras.Input((6,), dtype="int32")
    emb = ReversibleEmbedding(8, 8, embeddings_initializer="random_normal")
    model = keras.Model(model_in, emb(Dense(8)(emb(model_in)), reverse=True))
    model.compile(keras.optimizers.Adam(0.05),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(ids, ids, epochs=40, batch_size=32, verbose=0)  # copy the token
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]


def test_config_round_trip():
    layer = ReversibleEmbedding(9, 3, tie_weights=False, mask_zero=True,
                                reverse_dtype="float64", logit_soft_cap=30, name="tok")
    config = layer.get_config()
    assert {k: config[k] for k in ("input_dim", "output_dim", "tie_weights", "mask_zero",
                                   "reverse_dtype", "logit_soft_cap")} == {
        "input_dim": 9, "output_dim": 3, "tie_weights": False, "mask_zero": True,
        "reverse_dtype": "float64", "logit_soft_cap": 30.0}
    copy = ReversibleEmbedding.from_config(config)
    assert copy.get_config() == config
    layer.build(None)
    copy.build(None)
    copy.set_weights(layer.get_weights())
    h = R.normal(size=(2, 3))
    np.testing.assert_array_equal(copy(h, reverse=True).numpy(), layer(h, reverse=True).numpy())


def test_saved_and_loaded_by_saessak(tmp_path):
    pytest.importorskip("h5py")
    ids = keras.Input((4,), dtype="int32")
    emb = ReversibleEmbedding(10, 3, tie_weights=False, logit_soft_cap=2.0)
    model = keras.Model(ids, emb(emb(ids), reverse=True))
    path = str(tmp_path / "rev.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(IDS, verbose=0), model.predict(IDS, verbose=0))


def test_clear_errors():
    layer = ReversibleEmbedding(10, 3)
    layer.build(None)
    with pytest.raises(ValueError, match=r"reverse call takes inputs \(\.\.\., 3\)"):
        layer(np.ones((2, 4)), reverse=True)
    with pytest.raises(ValueError, match="reverse call takes float vectors"):
        layer(Tensor(np.ones((2, 3), "int64")), reverse=True)
    for cap in (0, -1.0, "big", True):
        with pytest.raises(ValueError, match="logit_soft_cap must be a positive number"):
            ReversibleEmbedding(10, 3, logit_soft_cap=cap)
    with pytest.raises(ValueError, match="reverse_dtype must be a float dtype"):
        ReversibleEmbedding(10, 3, reverse_dtype="int32")
    with pytest.raises(ValueError, match="input_dim must be a positive integer"):
        ReversibleEmbedding(0, 3)


def _load(name):
    pytest.importorskip("h5py")
    with np.load(os.path.join(FIXTURES, f"more_{name}.npz")) as data:
        ref = {k: data[k] for k in data.files}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = keras.models.load_model(os.path.join(FIXTURES, f"more_{name}.keras"))
    return model, ref


def test_keras_tied_soft_capped_model_predicts_as_keras():
    """One ReversibleEmbedding(11, 4, logit_soft_cap=2.5) called twice: ids -> vectors ->
    Dense -> logits against the same table."""
    model, ref = _load("reversible_tied")
    layer = next(lay for lay in model.layers if isinstance(lay, ReversibleEmbedding))
    assert layer.tie_weights and layer.logit_soft_cap == 2.5 and len(layer.weights) == 1
    y = model.predict(ref["x"], verbose=0)
    assert y.shape == (2, 5, 11)
    np.testing.assert_allclose(y, ref["keras3"], rtol=1e-5, atol=1e-6)


def test_keras_untied_masked_model_predicts_as_keras():
    """ReversibleEmbedding(8, 3, tie_weights=False, mask_zero=True) -> LSTM (which skips the
    padding) -> the reverse projection through reverse_embeddings."""
    model, ref = _load("reversible_untied")
    layer = next(lay for lay in model.layers if isinstance(lay, ReversibleEmbedding))
    assert not layer.tie_weights and layer.mask_zero
    assert isinstance(model.layers[2], LSTM)
    assert (ref["x"] == 0).any()
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["keras3"], rtol=1e-5,
                               atol=1e-6)
