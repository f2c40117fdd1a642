"""keras.io "Timeseries classification with a Transformer model" (FordA): encoder blocks of
MultiHeadAttention, Dropout, LayerNormalization and 1x1 Conv1D feed-forward joined by
``x + inputs`` on functional tensors, GlobalAveragePooling1D(data_format="channels_first"),
EarlyStopping(restore_best_weights) and validation_split."""

import numpy as np

import saessak as keras
from saessak import layers


def transformer_encoder(inputs, head_size, num_heads, ff_dim, dropout=0):
    x = layers.MultiHeadAttention(key_dim=head_size, num_heads=num_heads,
                                  dropout=dropout)(inputs, inputs)
    x = layers.Dropout(dropout)(x)
    x = layers.LayerNormalization(epsilon=1e-6)(x)
    res = x + inputs
    x = layers.Conv1D(filters=ff_dim, kernel_size=1, activation="relu")(res)
    x = layers.Dropout(dropout)(x)
    x = layers.Conv1D(filters=inputs.shape[-1], kernel_size=1)(x)
    x = layers.LayerNormalization(epsilon=1e-6)(x)
    return x + res


def build_model(input_shape, head_size, num_heads, ff_dim, num_transformer_blocks, mlp_units,
                dropout=0, mlp_dropout=0, n_classes=2):
    inputs = keras.Input(shape=input_shape)
    x = inputs
    for _ in range(num_transformer_blocks):
        x = transformer_encoder(x, head_size, num_heads, ff_dim, dropout)
    x = layers.GlobalAveragePooling1D(data_format="channels_first")(x)
    for dim in mlp_units:
        x = layers.Dense(dim, activation="relu")(x)
        x = layers.Dropout(mlp_dropout)(x)
    outputs = layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def test_the_keras_io_model_has_its_parameter_count():
    model = build_model((500, 1), head_size=256, num_heads=4, ff_dim=4,
                        num_transformer_blocks=4, mlp_units=[128], mlp_dropout=0.4,
                        dropout=0.25)
    assert model.count_params() == 93130  # keras.io: "less than 100k parameters"
    assert model.output_shape == (None, 2)


def test_training_with_early_stopping(tmp_path):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    t = np.linspace(0, 6, 40)
    y_all = rng.choice([-1, 1], 60)
    x_all = np.sin(t[None] * (2 + y_all[:, None])) + rng.normal(0, 0.3, (60, 40))
    x_train, y_train, x_test, y_test = x_all[:48], y_all[:48].copy(), x_all[48:], y_all[48:].copy()
    x_train = x_train.reshape((x_train.shape[0], x_train.shape[1], 1))
    x_test = x_test.reshape((x_test.shape[0], x_test.shape[1], 1))
    n_classes = len(np.unique(y_train))
    y_train[y_train == -1] = 0
    y_test[y_test == -1] = 0

    model = build_model(x_train.shape[1:], head_size=16, num_heads=2, ff_dim=4,
                        num_transformer_blocks=2, mlp_units=[16], mlp_dropout=0.4,
                        dropout=0.25, n_classes=n_classes)
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  metrics=["sparse_categorical_accuracy"])
    callbacks = [keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)]
    history = model.fit(x_train, y_train, validation_split=0.2, epochs=3, batch_size=16,
                        callbacks=callbacks, verbose=0)
    assert len(history.history["val_loss"]) == 3
    assert np.isfinite(history.history["loss"]).all()
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert np.isfinite(loss) and 0 <= accuracy <= 1
    # ``x + inputs`` is recorded as a layer holding Python code (docs/compatibility.md), so
    # the weights travel, into the same architecture built again
    model.save_weights(tmp_path / "tst.weights.h5")
    again = build_model(x_train.shape[1:], head_size=16, num_heads=2, ff_dim=4,
                        num_transformer_blocks=2, mlp_units=[16], mlp_dropout=0.4,
                        dropout=0.25, n_classes=n_classes)
    again.load_weights(tmp_path / "tst.weights.h5")
    np.testing.assert_allclose(again.predict(x_test, verbose=0), model.predict(x_test, verbose=0),
                               rtol=1e-5, atol=1e-6)
