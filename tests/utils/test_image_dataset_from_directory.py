"""``keras.utils.image_dataset_from_directory`` on a small tree of PNG files."""

import numpy as np
import pytest

import saessak
from saessak.utils import image_dataset_from_directory, save_img

pytest.importorskip("PIL", reason="image files need Pillow (the image extra)")

RED, BLUE = (200.0, 0.0, 0.0), (0.0, 0.0, 200.0)


@pytest.fixture
def tree(tmp_path):
    """cats/: 3 red images of assorted sizes; dogs/: 2 blue ones; and a stray text file."""
    for name, colour, sizes in [("cats", RED, [(8, 8), (12, 6), (5, 9)]),
                                ("dogs", BLUE, [(7, 7), (10, 4)])]:
        (tmp_path / name).mkdir()
        for i, (h, w) in enumerate(sizes):
            save_img(tmp_path / name / f"{i}.png", np.full((h, w, 3), colour, "float32"),
                     scale=False)
    (tmp_path / "cats" / "notes.txt").write_text("not an image")
    return tmp_path


def everything(ds):
    xs, ys = zip(*ds)
    return np.concatenate(xs), np.concatenate(ys)


def test_images_come_resized_as_float_pixels_with_their_folder_labels(tree, capsys):
    ds = image_dataset_from_directory(tree, image_size=(6, 6), batch_size=2, seed=1)
    assert "Found 5 files belonging to 2 classes." in capsys.readouterr().out
    assert ds.class_names == ["cats", "dogs"]
    x, y = everything(ds)
    assert x.shape == (5, 6, 6, 3) and x.dtype == np.float32 and y.dtype == np.int32
    assert sorted(y.tolist()) == [0, 0, 0, 1, 1]
    for image, label in zip(x, y):  # every pixel is the folder's colour, 0..255
        np.testing.assert_allclose(image, np.broadcast_to(RED if label == 0 else BLUE, image.shape))


def test_split_label_modes_colour_and_layout(tree):
    train, val = image_dataset_from_directory(tree, image_size=(4, 4), seed=3,
                                              validation_split=0.2, subset="both")
    assert len(everything(train)[0]) == 4 and len(everything(val)[0]) == 1
    _, y = everything(image_dataset_from_directory(tree, image_size=(4, 4),
                                                   label_mode="categorical", shuffle=False))
    np.testing.assert_array_equal(y, np.eye(2)[[0, 0, 0, 1, 1]])
    _, y = everything(image_dataset_from_directory(tree, image_size=(4, 4),
                                                   label_mode="binary", shuffle=False))
    assert y.shape == (5, 1) and y.dtype == np.float32
    x, _ = everything(image_dataset_from_directory(tree, image_size=(4, 5), color_mode="grayscale",
                                                   data_format="channels_first"))
    assert x.shape == (5, 1, 4, 5)
    alone = image_dataset_from_directory(tree, labels=None, image_size=(4, 4), batch_size=None)
    assert next(iter(alone)).shape == (4, 4, 3)


def test_pad_to_aspect_ratio_keeps_the_whole_image(tmp_path):
    (tmp_path / "a").mkdir()
    save_img(tmp_path / "a" / "wide.png", np.full((5, 10, 3), 100.0, "float32"), scale=False)
    x, _ = everything(image_dataset_from_directory(tmp_path, image_size=(10, 10),
                                                   pad_to_aspect_ratio=True))
    # 5 x 10 fits 10 x 10 unscaled: rows 2..6 are the image, the rest black padding
    assert (x[0, 2:7] == 100).all() and (x[0, :2] == 0).all() and (x[0, 7:] == 0).all()
    x, _ = everything(image_dataset_from_directory(tmp_path, image_size=(10, 10),
                                                   crop_to_aspect_ratio=True))
    assert (x[0] == 100).all()  # the centre 5 x 5, stretched: no padding


def test_a_model_trains_on_it(tree):
    ds = image_dataset_from_directory(tree, image_size=(8, 8), batch_size=2, seed=0)
    model = saessak.Sequential([saessak.Input((8, 8, 3)), saessak.layers.Rescaling(1 / 255),
                                saessak.layers.Flatten(), saessak.layers.Dense(2)])
    model.compile("adam", saessak.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


@pytest.mark.parametrize("kwargs, words", [
    ({"color_mode": "cmyk"}, "`color_mode` must be one of"),
    ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, "cannot both be True"),
    ({"image_size": (0, 4)}, "`image_size` must be"),
    ({"label_mode": "binary", "class_names": ["cats"]}, "exactly 2 classes"),
    ({"validation_split": 0.2}, "must be given together"),
])
def test_bad_arguments_are_named(tree, kwargs, words):
    with pytest.raises(ValueError, match=words):
        image_dataset_from_directory(tree, **kwargs)


def test_a_folder_without_images_is_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("text")
    with pytest.raises(ValueError, match="No image files found"):
        image_dataset_from_directory(tmp_path)
