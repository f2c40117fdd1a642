"""``saessak.losses`` (``keras.losses``): how far the predictions are from the targets.

- :mod:`.loss`: the ``Loss`` base class, ``Reduction`` and :func:`reduce_values`;
- :mod:`.losses`: the loss functions, the classes around them, and ``get``/``serialize``/
  ``deserialize``.

The fused forward and backward of the errors and cross-entropies are in
:mod:`saessak.ops.losses`.
"""

from .loss import Loss, Reduction, reduce_values
from .losses import (
    KLD,
    MAE,
    MAPE,
    MSE,
    MSLE,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    LossFunctionWrapper,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    cosine_proximity,
    cosine_similarity,
    deserialize,
    get,
    hinge,
    huber,
    huber_loss,
    kl_divergence,
    kld,
    kullback_leibler_divergence,
    log_cosh,
    logcosh,
    mae,
    mape,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    mse,
    msle,
    poisson,
    serialize,
    sparse_categorical_crossentropy,
    squared_hinge,
)

__all__ = [
    "KLD", "MAE", "MAPE", "MSE", "MSLE", "BinaryCrossentropy", "CategoricalCrossentropy",
    "CategoricalHinge", "CosineSimilarity", "Hinge", "Huber", "KLDivergence", "LogCosh", "Loss",
    "LossFunctionWrapper", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredError", "MeanSquaredLogarithmicError", "Poisson", "Reduction",
    "SparseCategoricalCrossentropy", "SquaredHinge", "binary_crossentropy",
    "categorical_crossentropy", "categorical_hinge", "cosine_proximity", "cosine_similarity",
    "deserialize", "get", "hinge", "huber", "huber_loss", "kl_divergence", "kld",
    "kullback_leibler_divergence", "log_cosh", "logcosh", "mae", "mape", "mean_absolute_error",
    "mean_absolute_percentage_error", "mean_squared_error", "mean_squared_logarithmic_error",
    "mse", "msle", "poisson", "reduce_values", "serialize", "sparse_categorical_crossentropy",
    "squared_hinge",
]
