"""``layers.experimental``: where tf.keras 2.1-2.5 kept the preprocessing layers.

``keras.layers.experimental.preprocessing.Normalization`` (and the other names in
``preprocessing``) are the same classes as ``keras.layers.Normalization``.
"""

from . import preprocessing
