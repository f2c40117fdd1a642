"""NSMC, the Naver sentiment movie corpus: 150,000 + 50,000 Korean reviews, 1 = positive.

Each file is tab-separated with a header line ``id<TAB>document<TAB>label``. A few
reviews are empty (pandas reads them as NaN); they are kept as ``''`` unless
``drop_empty=True``.

    (x_train, y_train), (x_test, y_test) = nsmc.load_data()
    x_train[0]  # '아 더빙.. 진짜 짜증나네요 목소리'
"""

import numpy as np

from ._files import fetch

DATASET = "nsmc"
BASE_URL = "https://raw.githubusercontent.com/e9t/nsmc/master/"
FILES = {
    "ratings_train.txt": "e03b7d14e9e41be8d464a28057cd25d7396c53e67aa7fd5f7e552c59b0ee2940",
    "ratings_test.txt": "8ac9f64052f11dbf6ae0acb5e038f03d90a76f0eda7820cfb3a92d02edfcebda",
}
HEADER = ["id", "document", "label"]


def parse(raw, source="<nsmc>", drop_empty=False):
    """Parse the bytes of one NSMC file into ``(ids, documents, labels)``.

    Raises ValueError naming the line for bad UTF-8, a wrong number of columns or a
    label other than 0/1.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ValueError(f"{source}: line {line} is not valid UTF-8 ({e.reason})") from None
    lines = text.lstrip("\ufeff").split("\n")
    if lines[0].rstrip("\r").split("\t") != HEADER:
        raise ValueError(f"{source}: line 1 must be the header {'<TAB>'.join(HEADER)}; "
                         f"received {lines[0][:80]!r}")
    ids, docs, labels = [], [], []
    for number, line in enumerate(lines[1:], start=2):
        line = line.rstrip("\r")
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise ValueError(f"{source}: line {number} has {len(fields)} tab-separated "
                             f"columns, expected 3 (id, document, label): {line[:80]!r}")
        rid, doc, label = fields
        if label not in ("0", "1"):
            raise ValueError(f"{source}: line {number}: label must be 0 or 1; "
                             f"received {label[:20]!r}")
        if drop_empty and not doc.strip():
            continue
        ids.append(rid)
        docs.append(doc)
        labels.append(int(label))
    documents = np.empty(len(docs), dtype=object)
    documents[:] = docs
    return np.array(ids, dtype=object), documents, np.array(labels, dtype=np.int64)


def load_data(path=None, drop_empty=False):
    """``(x_train, y_train), (x_test, y_test)``: object arrays of review strings and int64
    labels. ``path``: a folder holding ``ratings_train.txt`` and ``ratings_test.txt``."""
    out = []
    for name, sha in FILES.items():
        fpath = fetch(DATASET, name, BASE_URL + name, sha, path)
        with open(fpath, "rb") as f:
            _, docs, labels = parse(f.read(), source=fpath, drop_empty=drop_empty)
        out.append((docs, labels))
    return tuple(out)
