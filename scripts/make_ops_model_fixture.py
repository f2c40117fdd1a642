"""Write tests/fixtures/keras/ops_model.{keras,npz}: a Keras 3 functional model whose graph
holds keras.ops calls (operators, indexing with slices and an ellipsis, reductions with
arguments, concatenation, a transpose, a cast), its input and Keras's outputs; and
tf_ops_model.{h5,npz}: tf.keras 2's like it, with tf.* calls (its TFOpLambda layers).

    /path/to/keras3/python scripts/make_ops_model_fixture.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers, ops  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "keras")


def main():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4, 3))
    dense = layers.Dense(3)(inputs)
    x = dense + inputs
    mean = ops.mean(x, axis=1)
    first = x[:, 0, :] * 2.0
    joined = ops.concatenate([mean, first], axis=-1)
    shifted = 1.0 - ops.relu(ops.sum(joined, axis=-1, keepdims=True))
    corner = ops.transpose(x, (0, 2, 1))[..., 1:3]
    scaled = ops.cast(ops.max(x, axis=-1), "float32") / ops.sqrt(ops.square(x[:, :, 0]) + 1.0)
    model = keras.Model(inputs, [joined, shifted, corner, scaled])
    data = np.random.default_rng(0).random((2, 4, 3)).astype("float32")
    outputs = model.predict(data, verbose=0)
    model.save(os.path.join(OUT, "ops_model.keras"))
    np.savez(os.path.join(OUT, "ops_model.npz"), x=data,
             **{f"y{i}": y for i, y in enumerate(outputs)})
    print("wrote ops_model.keras and ops_model.npz with", keras.__version__)
    tf_keras_model(data)


def tf_keras_model(data):
    import tensorflow as tf
    import tf_keras

    tf_keras.utils.set_random_seed(0)
    inputs = tf_keras.Input((4, 3))
    x = tf_keras.layers.Dense(3)(inputs) + inputs
    mean = tf.reduce_mean(x, axis=1)
    first = x[:, 0, :] * 2.0
    joined = tf.nn.relu(tf.concat([mean, first], axis=-1))
    corner = tf.transpose(x, perm=[0, 2, 1])[..., 1:3]
    model = tf_keras.Model(inputs, [joined, corner])
    outputs = model.predict(data, verbose=0)
    model.save(os.path.join(OUT, "tf_ops_model.h5"))
    np.savez(os.path.join(OUT, "tf_ops_model.npz"), x=data,
             **{f"y{i}": y for i, y in enumerate(outputs)})
    print("wrote tf_ops_model.h5 and tf_ops_model.npz with tf.keras", tf_keras.__version__)


if __name__ == "__main__":
    main()
