"""saessak.tfds: tfds.load / tfds.builder as the seeds' authors call them, on a small
archive in the real aclImdb layout, and on the real files when SAESSAK_DATA has them."""

import os
from collections import Counter

import numpy as np
import pytest

import saessak.tfds as tfds

REVIEWS = {
    "train/pos/0_9.txt": "A wonderful film. I loved it!<br /><br />Great acting.",
    "train/pos/1_8.txt": "Brilliant, moving and funny: a must-see.",
    "train/neg/0_2.txt": "This is an example of a bad movie!",
    "train/neg/1_1.txt": "Dull. Boring. Awful_plot and worse acting.",
    "test/pos/0_10.txt": "Best movie of the year.",
    "test/neg/0_3.txt": "Not worth the ticket.",
}


@pytest.fixture
def imdb_dir(write_imdb_archive):
    return write_imdb_archive(REVIEWS)


def test_load_imdb_reviews_as_supervised_with_info(imdb_dir):
    train, info = tfds.load("imdb_reviews", split="train", as_supervised=True,
                            with_info=True, data_dir=imdb_dir)
    assert info.splits["train"].num_examples == 4 and info.splits["test"].num_examples == 2
    assert info.features["label"].names == ["neg", "pos"]
    assert info.features["label"].int2str(1) == "pos"
    pairs = [(text.numpy(), label.numpy()) for text, label in train]
    assert all(isinstance(t, bytes) and isinstance(lab, np.int64) for t, lab in pairs)
    by_text = {t.decode(): int(lab) for t, lab in pairs}
    assert by_text == {REVIEWS[k]: int("/pos/" in k) for k in REVIEWS if k.startswith("train")}


def test_builder_as_dataset_gives_dicts_of_features(imdb_dir):
    # the author's alternative: tfds.builder('imdb_reviews') ... as_dataset(shuffle_files=False)
    builder = tfds.builder("imdb_reviews", data_dir=imdb_dir)
    builder.download_and_prepare()
    datasets = builder.as_dataset(shuffle_files=False)
    assert sorted(datasets) == ["test", "train"]
    example = next(iter(datasets["test"]))
    assert set(example) == {"text", "label"} and isinstance(example["text"].numpy(), bytes)
    batch = next(iter(datasets["train"].batch(4)))
    assert batch["text"].shape == (4,) and batch["label"].dtype == np.int64


def test_split_slices_batches_and_whole_arrays(imdb_dir):
    first, rest = tfds.load("imdb_reviews", split=["train[:50%]", "train[50%:]"],
                            data_dir=imdb_dir)
    assert len(first) == 2 and len(rest) == 2
    both = tfds.load("imdb_reviews", split="train+test", as_supervised=True, data_dir=imdb_dir)
    assert len(both) == 6
    texts, labels = tfds.load("imdb_reviews", split="test", as_supervised=True,
                              batch_size=-1, data_dir=imdb_dir)
    assert texts.shape == (2,) and sorted(labels.numpy().tolist()) == [0, 1]
    batched = tfds.load("imdb_reviews", split="train", batch_size=3, data_dir=imdb_dir)
    assert [len(b["label"]) for b in batched] == [3, 1]
    shuffled = tfds.load("imdb_reviews", split="train", shuffle_files=True, data_dir=imdb_dir)
    assert sorted(e["text"].numpy() for e in shuffled) == sorted(
        e["text"].numpy() for e in tfds.load("imdb_reviews", split="train", data_dir=imdb_dir))
    with pytest.raises(ValueError, match="unknown split 'validation'"):
        tfds.load("imdb_reviews", split="validation", data_dir=imdb_dir)
    assert list(tfds.as_numpy(batched))[0]["label"].__class__ is np.ndarray


def test_unknown_dataset_names_list_what_is_provided():
    with pytest.raises(tfds.DatasetNotFoundError, match=r"'cifar10' not found.*"
                                                        r"\['fashion_mnist', 'imdb_reviews', "
                                                        r"'mnist'\]"):
        tfds.load("cifar10")
    assert tfds.list_builders() == ["fashion_mnist", "imdb_reviews", "mnist"]
    with pytest.raises(tfds.DatasetNotFoundError, match="'subwords8k'"):
        tfds.builder("imdb_reviews/subwords8k")
    assert tfds.builder("imdb_reviews/plain_text:1.0.0").name == "imdb_reviews"


def test_tokenizer_and_token_text_encoder():
    tokenizer = tfds.deprecated.text.Tokenizer()
    assert tokenizer.tokenize(b"This is an example! It's <br />great_stuff, 100%") == [
        "This", "is", "an", "example", "It", "s", "br", "great_stuff", "100"]
    assert tfds.deprecated.text.Tokenizer(alphanum_only=False).tokenize("a, b") == \
        ["a", ", ", "b"]
    counts = Counter()
    for text in ["the cat sat", "the dog ran", "This is an example"]:
        counts.update(tokenizer.tokenize(text))
    encoder = tfds.deprecated.text.TokenTextEncoder(counts)
    assert len(counts) == 9 and encoder.vocab_size == 11  # + padding 0 + one OOV id
    assert encoder.encode("This is an example!") == [6, 7, 8, 9]
    assert encoder.encode("the unknown cat") == [1, 10, 2]
    assert encoder.decode([1, 10, 2, 0]) == "the UNK cat"


ROOT = os.environ.get("SAESSAK_DATA")


def _need(relative):
    if not ROOT or not os.path.exists(os.path.join(ROOT, relative)):
        pytest.skip(f"$SAESSAK_DATA/{relative} is not there (point SAESSAK_DATA at "
                    "../shared/data)")


def test_mnist_and_fashion_mnist_on_the_real_files():
    _need("mnist/train-images-idx3-ubyte.gz")
    train, info = tfds.load("mnist", split="train", as_supervised=True, with_info=True)
    assert info.splits["train"].num_examples == 60000 and info.splits["test"].num_examples \
        == 10000
    image, label = next(iter(train))
    assert image.shape == (28, 28, 1) and image.dtype == np.uint8 and 0 <= label.numpy() < 10
    _need("fashion_mnist/train-images-idx3-ubyte.gz")
    info = tfds.builder("fashion_mnist").info
    assert info.features["label"].int2str(9) == "Ankle boot"
