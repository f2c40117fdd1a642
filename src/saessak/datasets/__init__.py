"""Datasets in the style of ``keras.datasets``, read from local copies or downloaded.

Every loader looks for its files in: the ``path=`` argument, ``$SAESSAK_DATA/<dataset>/``,
the cache ``~/.saessak/datasets`` (``$SAESSAK_HOME``), then downloads from the canonical
URL with a checksum check (see :mod:`saessak.datasets._files`).
"""

from . import fashion_mnist, imdb, jena_climate, mnist, nsmc, reuters, text
from ._files import DatasetNotFoundError
