"""tf.keras 2 training names that old programs still call, each a thin wrapper.

*Deep Learning with Python* (1st edition) trains its Jena models with ``fit_generator``;
tf.keras 2 still runs that with a deprecation warning, and so does saessak. The seeds also
call ``predict_classes``, removed from Keras in 2.6.
"""

from __future__ import annotations

import warnings


def _deprecated(old, new):
    warnings.warn(f"`Model.{old}` is deprecated and will be removed in a future version. "
                  f"Please use `Model.{new}`, which supports generators.",
                  DeprecationWarning, stacklevel=3)


class LegacyTraining:
    """``fit_generator``, ``evaluate_generator``, ``predict_generator``,
    ``predict_classes`` and ``predict_proba``, on top of ``fit``/``evaluate``/``predict``."""

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1,
                      callbacks=None, validation_data=None, validation_steps=None,
                      validation_freq=1, class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """``fit`` on a generator (or Sequence, or Dataset) of batches."""
        _deprecated("fit_generator", "fit")
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs,
                        verbose=verbose, callbacks=callbacks, validation_data=validation_data,
                        validation_steps=validation_steps, validation_freq=validation_freq,
                        class_weight=class_weight, shuffle=shuffle,
                        initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0):
        """``evaluate`` on a generator of batches."""
        _deprecated("evaluate_generator", "evaluate")
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0):
        """``predict`` on a generator of batches (of inputs, or ``(x, y)`` pairs)."""
        _deprecated("predict_generator", "predict")
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Class predictions: the arg-max of each row, or ``prob > 0.5`` for one output
        unit. Removed from Keras in 2.6 (use ``np.argmax(model.predict(x), axis=-1)``);
        kept here because the seeds call it."""
        warnings.warn("predict_classes is deprecated (removed in Keras 2.6): use "
                      "np.argmax(model.predict(x), axis=-1), or (model.predict(x) > 0.5)"
                      ".astype('int32') for a sigmoid output", DeprecationWarning, stacklevel=2)
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        """tf.keras 2's old name for ``predict`` on a probabilistic model."""
        warnings.warn("predict_proba is deprecated: use predict", DeprecationWarning,
                      stacklevel=2)
        return self.predict(x, batch_size=batch_size, verbose=verbose)
