"""Named plain-text corpora for language models (seeds 000 and 004, char-rnn):

=========================  ===================================================  ========
name                       what                                                 sha256
=========================  ===================================================  ========
``mysterious_island``      Verne, *The Mysterious Island*, Gutenberg #1268       checked
``mysterious_island_2016`` the 2016 edition seed 004 used (same URL then)        checked
``tinyshakespeare``        Karpathy's char-rnn tiny Shakespeare                  checked
``alice``                  Carroll, *Alice in Wonderland*, Gutenberg #11         checked
``joseon_annals``          Korean annals corpus of seed 000, section 7.4 (26 M   none
                           chars; not in ../shared/data)
=========================  ===================================================  ========

    text = saessak.datasets.text.load("tinyshakespeare")

Files are searched like every dataset (``path=``, ``$SAESSAK_DATA/texts/``, cache, URL).
``mysterious_island_2016`` can no longer be downloaded: Gutenberg now serves the newer
edition, which fails the checksum, so it needs a local copy.
"""

from ._files import fetch

DATASET = "texts"

CORPORA = {
    "mysterious_island": (
        "mysterious_island.txt", "https://www.gutenberg.org/files/1268/1268-0.txt",
        "eb39574569e2d46ff804f61891ac2f56d08360603034abdf579d52f2138eaf9d"),
    "mysterious_island_2016": (
        "mysterious_island_2016.txt", "https://www.gutenberg.org/files/1268/1268-0.txt",
        "4bdc577800b9fa8c0e1f4140d4d8f2fd9427f1534105b35b108b077c46aece51"),
    "tinyshakespeare": (
        "tinyshakespeare.txt",
        "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
        "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"),
    "alice": (
        "alice.txt", "http://www.gutenberg.org/files/11/11-0.txt",
        "c6b42434c2eabf5197a6c0fad144292cc89c832ea98d921dc205bc1cd949ee2a"),
    "joseon_annals": (
        "joseon_annals.txt",
        "https://raw.githubusercontent.com/greentec/greentec.github.io/master/public/other/"
        "data/chosundynasty/corpus.txt",
        None),
}


def _entry(name):
    try:
        return CORPORA[name]
    except KeyError:
        raise ValueError(f"`name` must be one of {sorted(CORPORA)}; received {name!r}") from None


def get_path(name, path=None):
    """Local path of corpus ``name`` (downloaded and checked if needed)."""
    fname, url, sha256 = _entry(name)
    return fetch(DATASET, fname, url, sha256, path)


def load(name, path=None):
    """The whole corpus as a str, decoded as UTF-8 (a byte-order mark is kept, as
    ``open(..., encoding='utf-8')`` keeps it)."""
    with open(get_path(name, path), encoding="utf-8") as f:
        return f.read()
