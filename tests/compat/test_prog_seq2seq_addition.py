"""keras.io "Sequence to sequence learning for performing number addition": questions like
'12+345' (reversed) one-hot encoded, an LSTM encoder, RepeatVector, an LSTM decoder with
return_sequences, and a softmax over the characters at every step (a Dense on 3-d input, or
TimeDistributed(Dense) as the older version wrote it)."""

import numpy as np

import saessak as keras
from saessak import layers

DIGITS = 2
REVERSE = True
MAXLEN = DIGITS + 1 + DIGITS


class CharacterTable:
    def __init__(self, chars):
        self.chars = sorted(set(chars))
        self.char_indices = dict((c, i) for i, c in enumerate(self.chars))
        self.indices_char = dict((i, c) for i, c in enumerate(self.chars))

    def encode(self, C, num_rows):
        x = np.zeros((num_rows, len(self.chars)))
        for i, c in enumerate(C):
            x[i, self.char_indices[c]] = 1
        return x

    def decode(self, x, calc_argmax=True):
        if calc_argmax:
            x = x.argmax(axis=-1)
        return "".join(self.indices_char[x] for x in x)


chars = "0123456789+ "
ctable = CharacterTable(chars)


def make_data(training_size, rng):
    questions, expected, seen = [], [], set()
    while len(questions) < training_size:
        def f():
            return int("".join(rng.choice(list("0123456789"))
                               for i in range(rng.integers(1, DIGITS + 1))))
        a, b = f(), f()
        key = tuple(sorted((a, b)))
        if key in seen:
            continue
        seen.add(key)
        q = "{}+{}".format(a, b)  # noqa: UP032
        query = q + " " * (MAXLEN - len(q))
        ans = str(a + b)
        ans += " " * (DIGITS + 1 - len(ans))
        if REVERSE:
            query = query[::-1]
        questions.append(query)
        expected.append(ans)
    x = np.zeros((len(questions), MAXLEN, len(chars)), dtype=bool)
    y = np.zeros((len(questions), DIGITS + 1, len(chars)), dtype=bool)
    for i, sentence in enumerate(questions):
        x[i] = ctable.encode(sentence, MAXLEN)
    for i, sentence in enumerate(expected):
        y[i] = ctable.encode(sentence, DIGITS + 1)
    return x, y


def build(units, digits=DIGITS, maxlen=MAXLEN, time_distributed=False):
    model = keras.Sequential()
    model.add(layers.LSTM(units, input_shape=(maxlen, len(chars))))
    model.add(layers.RepeatVector(digits + 1))
    for _ in range(1):
        model.add(layers.LSTM(units, return_sequences=True))
    if time_distributed:
        model.add(layers.TimeDistributed(layers.Dense(len(chars), activation="softmax")))
    else:
        model.add(layers.Dense(len(chars), activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def test_the_keras_io_model_has_its_parameter_count():
    # keras.io, DIGITS = 3: lstm 72,192, lstm_1 131,584, dense 1,548 -> 205,324
    model = build(128, digits=3, maxlen=7)
    assert [layer.count_params() for layer in model.layers] == [72192, 0, 131584, 1548]
    assert model.count_params() == 205324
    assert model.output_shape == (None, 4, 12)


def test_training_and_decoding_the_guesses(tmp_path):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = make_data(200, rng)
    split_at = len(x) - len(x) // 10
    (x_train, x_val), (y_train, y_val) = (x[:split_at], x[split_at:]), (y[:split_at], y[split_at:])
    for time_distributed in (False, True):
        model = build(32, time_distributed=time_distributed)
        history = model.fit(x_train, y_train, batch_size=32, epochs=2,
                            validation_data=(x_val, y_val), verbose=0)
        assert history.history["loss"][1] < history.history["loss"][0]
        assert np.isfinite(history.history["val_loss"]).all()
        ind = 3
        rowx, rowy = x_val[np.array([ind])], y_val[np.array([ind])]
        preds = np.argmax(model.predict(rowx, verbose=0), axis=-1)
        q = ctable.decode(rowx[0])
        correct = ctable.decode(rowy[0])
        guess = ctable.decode(preds[0], calc_argmax=False)
        assert len(q) == MAXLEN and len(correct) == len(guess) == DIGITS + 1
        assert set(guess) <= set(chars)
    model.save(tmp_path / "addition.keras")
    again = keras.models.load_model(tmp_path / "addition.keras")
    np.testing.assert_allclose(again.predict(x_val, verbose=0), model.predict(x_val, verbose=0),
                               rtol=1e-5, atol=1e-6)
