"""Grad-CAM's core (keras.io's class activation map example): a functional model that
returns the last convolution's activations beside the predictions, the gradient of the top
class score with respect to those activations, channel weights by pooling the gradients,
and a heatmap. The gradient is checked against a finite difference."""

import numpy as np

import saessak.compat as tf
from saessak import keras, layers


def make_gradcam_heatmap(img_array, grad_model, pred_index=None):
    with tf.GradientTape() as tape:
        last_conv_layer_output, preds = grad_model(img_array)
        if pred_index is None:
            pred_index = tf.argmax(preds[0])
        class_channel = preds[:, int(pred_index)]
    grads = tape.gradient(class_channel, last_conv_layer_output)
    pooled_grads = tf.reduce_mean(grads, axis=(0, 1, 2))
    last_conv_layer_output = last_conv_layer_output[0]
    heatmap = last_conv_layer_output @ pooled_grads[..., tf.newaxis]
    heatmap = tf.squeeze(heatmap)
    heatmap = tf.maximum(heatmap, 0) / tf.math.reduce_max(heatmap)
    return heatmap.numpy(), grads.numpy(), int(pred_index)


def test_grad_cam_heatmap():
    keras.utils.set_random_seed(2)
    with keras.backend.floatx_scope("float64"):
        inputs = keras.Input(shape=(12, 12, 1))
        x = layers.Conv2D(4, 3, activation="relu", name="last_conv")(inputs)
        x = layers.GlobalAveragePooling2D()(x)
        outputs = layers.Dense(3, activation="softmax")(x)
        model = keras.Model(inputs, outputs)
        grad_model = keras.Model(model.inputs,
                                 [model.get_layer("last_conv").output, model.output])
        img = np.random.default_rng(2).random((1, 12, 12, 1))
        heatmap, grads, top = make_gradcam_heatmap(img, grad_model)

        assert heatmap.shape == (10, 10) and heatmap.max() == 1.0 and heatmap.min() >= 0
        assert top == int(np.argmax(model.predict(img, verbose=0)[0]))
        # d score / d activation at one position, by a central difference through the head
        conv_out = grad_model(img)[0].numpy()
        head = keras.Sequential([model.layers[-2], model.layers[-1]])

        def score(a):
            return head(a).numpy()[0, top]

        eps = 1e-6
        bump = np.zeros_like(conv_out)
        bump[0, 4, 5, 1] = eps
        numeric = (score(conv_out + bump) - score(conv_out - bump)) / (2 * eps)
        assert abs(grads[0, 4, 5, 1] - numeric) < 1e-8
