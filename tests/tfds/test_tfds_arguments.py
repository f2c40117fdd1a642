"""tfds.load/builder/as_dataset: the arguments tfds passes on (builder_kwargs,
as_dataset_kwargs) are passed on, and those saessak cannot honour warn (they were ignored)."""

import warnings

import pytest

import saessak.tfds as tfds

REVIEWS = {
    "train/pos/0_9.txt": "A wonderful film.",
    "train/neg/0_2.txt": "A bad movie!",
    "test/pos/0_10.txt": "Best movie of the year.",
    "test/neg/0_3.txt": "Not worth the ticket.",
}


@pytest.fixture
def imdb_dir(write_imdb_archive):
    return write_imdb_archive(REVIEWS)


def test_as_dataset_kwargs_reach_as_dataset_and_win(imdb_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = tfds.load("imdb_reviews", split="test", data_dir=imdb_dir, as_supervised=False,
                       as_dataset_kwargs={"as_supervised": True, "batch_size": 2})
    texts, labels = next(iter(ds))
    assert texts.shape == (2,) and sorted(labels.numpy().tolist()) == [0, 1]


@pytest.mark.parametrize("argument, message", [
    ({"decoders": {"text": object()}}, "decoders= is ignored; every feature comes decoded"),
    ({"read_config": object()}, "read_config= is ignored; shuffle_files alone"),
    ({"builder_kwargs": {"config": "plain_text"}}, r"tfds.builder: \['config'\] ignored"),
])
def test_arguments_saessak_cannot_honour_warn(imdb_dir, argument, message):
    with pytest.warns(UserWarning, match=message):
        ds = tfds.load("imdb_reviews", split="train", data_dir=imdb_dir, **argument)
    assert len(list(ds)) == 2  # and the data is still there


def test_builder_try_gcs_changes_nothing_and_says_nothing(imdb_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tfds.builder("imdb_reviews", data_dir=imdb_dir, try_gcs=True)
