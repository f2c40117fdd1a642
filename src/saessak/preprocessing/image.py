"""Image augmentation in the style of ``keras.preprocessing.image``: ImageDataGenerator.

The generator draws a random transform per image (rotation, shifts, shear, zoom, flips,
channel shift, brightness), applies it as one affine warp (``saessak.ops.image``), then
standardizes (rescale, centring, normalization). ``flow(x, y)`` hands out augmented batches
forever, reshuffling each epoch, as Keras does:

>>> gen = ImageDataGenerator(rotation_range=10, zoom_range=0.1, horizontal_flip=True)
>>> images, labels = gen.flow(train_x, train_y, batch_size=100, shuffle=False).next()

Pure NumPy: no SciPy or Pillow needed (only the image files of ``load_img``/``save_img`` and
``array_to_img``'s PIL images need Pillow).
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import backend
from ..ops.image import LAYER_FILL_MODES, affine_matrix, warp_array


def _range(value, name):
    """A float -> (-value, value) sampler spec; a pair (low, high) is taken as is."""
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"ImageDataGenerator: {name} must be >= 0, received {value!r}")
        return float(value)
    raise ValueError(f"ImageDataGenerator: {name} must be a number, received {value!r}")


class ImageDataGenerator:
    """Generate batches of augmented images (batch, height, width, channels).

    Arguments follow Keras: ``rotation_range`` (degrees), ``width_shift_range`` and
    ``height_shift_range`` (a fraction of the size if < 1, else pixels; an int n draws whole
    pixels from -n+1..n-1; a list draws from its values), ``shear_range`` (degrees),
    ``zoom_range`` (float z -> [1-z, 1+z], or [low, high]), ``channel_shift_range``,
    ``brightness_range`` ([low, high]), ``horizontal_flip``, ``vertical_flip``,
    ``fill_mode`` ('nearest', 'constant', 'reflect', 'wrap') with ``cval``, ``rescale``
    (multiplies after the transform), ``featurewise_center`` /
    ``featurewise_std_normalization`` (statistics from :meth:`fit`), ``samplewise_center`` /
    ``samplewise_std_normalization``, ``preprocessing_function``, ``interpolation_order``
    (0 nearest, 1 bilinear) and ``validation_split``.
    """

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-6, rotation_range=0,
                 width_shift_range=0.0, height_shift_range=0.0, brightness_range=None,
                 shear_range=0.0, zoom_range=0.0, channel_shift_range=0.0, fill_mode="nearest",
                 cval=0.0, horizontal_flip=False, vertical_flip=False, rescale=None,
                 preprocessing_function=None, data_format=None, validation_split=0.0,
                 interpolation_order=1, dtype=None):
        if zca_whitening:
            raise NotImplementedError("ImageDataGenerator: zca_whitening is not implemented")
        if data_format not in (None, "channels_last"):
            raise ValueError(f"ImageDataGenerator: only data_format='channels_last' is "
                             f"supported, received {data_format!r}")
        if fill_mode not in LAYER_FILL_MODES:
            raise ValueError(f"ImageDataGenerator: fill_mode must be one of {LAYER_FILL_MODES}, "
                             f"received {fill_mode!r}")
        if interpolation_order not in (0, 1):
            raise ValueError(f"ImageDataGenerator: interpolation_order must be 0 (nearest) or "
                             f"1 (bilinear), received {interpolation_order!r}")
        if not 0 <= validation_split < 1:
            raise ValueError(f"ImageDataGenerator: validation_split must be in [0, 1), "
                             f"received {validation_split!r}")
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.rotation_range = _range(rotation_range, "rotation_range")
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = _range(shear_range, "shear_range")
        if isinstance(zoom_range, (int, float)):
            zoom_range = (1 - zoom_range, 1 + zoom_range)
        if len(zoom_range) != 2:
            raise ValueError(f"ImageDataGenerator: zoom_range must be a float or [low, high], "
                             f"received {zoom_range!r}")
        self.zoom_range = (float(zoom_range[0]), float(zoom_range[1]))
        if brightness_range is not None and len(brightness_range) != 2:
            raise ValueError(f"ImageDataGenerator: brightness_range must be [low, high], "
                             f"received {brightness_range!r}")
        self.brightness_range = brightness_range
        self.channel_shift_range = _range(channel_shift_range, "channel_shift_range")
        self.fill_mode, self.cval = fill_mode, float(cval)
        self.horizontal_flip, self.vertical_flip = horizontal_flip, vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.validation_split = validation_split
        self.interpolation_order = interpolation_order
        self.dtype = dtype or backend.floatx()
        self.mean = self.std = None

    # --- random transforms ----------------------------------------------------------------
    def _shift(self, spec, size, rng):
        if not spec:
            return 0.0
        if isinstance(spec, (list, tuple, np.ndarray)):
            shift = float(rng.choice(spec))
        elif isinstance(spec, int):  # whole pixels, 0..n-1 either way
            shift = float(rng.integers(spec)) * rng.choice([-1, 1])
        else:
            shift = rng.uniform(-spec, spec)
        return shift * size if np.max(spec) < 1 else shift

    def get_random_transform(self, img_shape, seed=None):
        """A dict of the random parameters for one image of shape (h, w, channels)."""
        rng = backend.make_rng(seed) if seed is not None else self._rng()
        h, w = img_shape[0], img_shape[1]
        theta = rng.uniform(-self.rotation_range, self.rotation_range) \
            if self.rotation_range else 0.0
        tx = self._shift(self.height_shift_range, h, rng)
        ty = self._shift(self.width_shift_range, w, rng)
        shear = rng.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0.0
        zx = zy = 1.0
        if self.zoom_range != (1.0, 1.0):
            zx, zy = rng.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        params = {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
                  "flip_horizontal": bool(self.horizontal_flip and rng.random() < 0.5),
                  "flip_vertical": bool(self.vertical_flip and rng.random() < 0.5),
                  "channel_shift_intensity": None, "brightness": None}
        if self.channel_shift_range:
            params["channel_shift_intensity"] = rng.uniform(-self.channel_shift_range,
                                                            self.channel_shift_range)
        if self.brightness_range is not None:
            params["brightness"] = rng.uniform(*self.brightness_range)
        return params

    def _rng(self):
        if getattr(self, "_generator", None) is None:
            self._generator = backend.make_rng()
        return self._generator

    def _matrix(self, params, h, w):
        m = affine_matrix(params["theta"], params["tx"], params["ty"], params["shear"],
                          params["zx"], params["zy"], h, w)
        # Flips last, on the warped image: the output at column c reads column w-1-c.
        flip = np.eye(3)
        if params.get("flip_horizontal"):
            flip[1] = [0, -1, w - 1]
        if params.get("flip_vertical"):
            flip[0] = [-1, 0, h - 1]
        return m @ flip

    def apply_transform(self, x, params):
        """Apply the parameters from :meth:`get_random_transform` to one image (h, w, c)."""
        return self._transform_batch(np.asarray(x)[None], [params])[0]

    def _transform_batch(self, x, params_list):
        n, h, w = x.shape[:3]
        mats = np.stack([self._matrix(p, h, w) for p in params_list])
        x = x.astype(self.dtype, copy=False)
        if any(not np.allclose(m, np.eye(3)) for m in mats):
            x = warp_array(x, mats, "bilinear" if self.interpolation_order else "nearest",
                           self.fill_mode, self.cval)
        else:
            x = x.copy()
        for i, p in enumerate(params_list):
            if p.get("channel_shift_intensity") is not None:  # shift, clipped to the range
                lo, hi = x[i].min(), x[i].max()
                x[i] = np.clip(x[i] + p["channel_shift_intensity"], lo, hi)
            if p.get("brightness") is not None:
                x[i] = x[i] * p["brightness"]
        return x

    def random_transform(self, x, seed=None):
        """One image (h, w, channels), randomly transformed."""
        return self.apply_transform(x, self.get_random_transform(np.shape(x), seed))

    # --- standardization -------------------------------------------------------------------
    def fit(self, x, augment=False, rounds=1, seed=None):
        """Compute the featurewise mean and std (per channel) that standardize uses."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"ImageDataGenerator.fit: expected images of rank 4 (batch, h, "
                             f"w, channels), received shape {x.shape}")
        if augment:
            rng = backend.make_rng(seed)
            x = np.concatenate([self._transform_batch(
                x, [self.get_random_transform(x.shape[1:], int(rng.integers(2**31)))
                    for _ in range(len(x))]) for _ in range(rounds)])
        if self.featurewise_center:
            self.mean = x.mean(axis=(0, 1, 2), keepdims=True)[0]
        if self.featurewise_std_normalization:
            self.std = x.std(axis=(0, 1, 2), keepdims=True)[0]

    def standardize(self, x):
        """Rescale and normalize images (one, or a batch), as configured."""
        x = np.asarray(x, dtype=self.dtype)
        if self.preprocessing_function is not None:
            x = self.preprocessing_function(x)
        if self.rescale:
            x = x * np.asarray(self.rescale, dtype=x.dtype)
        if self.samplewise_center:
            x = x - x.mean(axis=(-3, -2, -1), keepdims=True)
        if self.samplewise_std_normalization:
            x = x / (x.std(axis=(-3, -2, -1), keepdims=True) + 1e-6)
        if self.featurewise_center:
            if self.mean is None:
                raise ValueError("ImageDataGenerator: featurewise_center needs fit(x) first")
            x = x - self.mean
        if self.featurewise_std_normalization:
            if self.std is None:
                raise ValueError("ImageDataGenerator: featurewise_std_normalization needs "
                                 "fit(x) first")
            x = x / (self.std + 1e-6)
        return x

    # --- batches -----------------------------------------------------------------------------
    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             subset=None, **kwargs):
        """An endless iterator of ``(x_batch, y_batch)`` (or ``x_batch`` without ``y``)."""
        for unsupported in ("save_to_dir",):
            if kwargs.get(unsupported):
                raise NotImplementedError(f"ImageDataGenerator.flow: {unsupported} is not "
                                          f"supported")
        return NumpyArrayIterator(self, x, y, batch_size, shuffle, sample_weight, seed, subset)


class NumpyArrayIterator:
    """Batches of augmented images from arrays; endless, reshuffled every epoch. Supports
    ``next(it)``, ``it.next()``, ``len(it)`` (batches per epoch) and ``it[i]``."""

    def __init__(self, generator, x, y=None, batch_size=32, shuffle=True, sample_weight=None,
                 seed=None, subset=None):
        x = np.asarray(x)
        if x.ndim != 4:
            raise ValueError(f"ImageDataGenerator.flow: expected images of rank 4 (batch, h, "
                             f"w, channels), received shape {x.shape}")
        if y is not None and len(y) != len(x):
            raise ValueError(f"ImageDataGenerator.flow: x and y must have the same length, "
                             f"received {len(x)} and {len(y)}")
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError(f"ImageDataGenerator.flow: subset must be 'training' or "
                                 f"'validation', received {subset!r}")
            cut = int(np.ceil(generator.validation_split * len(x)))
            part = slice(None, cut) if subset == "validation" else slice(cut, None)
            x = x[part]
            y = None if y is None else np.asarray(y)[part]
            sample_weight = None if sample_weight is None else np.asarray(sample_weight)[part]
        self.generator, self.x = generator, x
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        self.batch_size, self.shuffle = int(batch_size), shuffle
        self.rng = backend.make_rng(seed)
        self.n = len(x)
        self.batch_index = 0
        self.epoch_order = None

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def __iter__(self):
        return self

    def __next__(self):
        if self.batch_index == 0:  # a new epoch: a new order
            self.epoch_order = (self.rng.permutation(self.n) if self.shuffle
                                else np.arange(self.n))
        start = self.batch_index * self.batch_size
        index = self.epoch_order[start:start + self.batch_size]
        self.batch_index = (self.batch_index + 1) % len(self)
        return self._batch(index)

    next = __next__

    def __getitem__(self, i):
        if not 0 <= i < len(self):
            raise IndexError(f"batch {i} out of range: the iterator has {len(self)} batches")
        order = self.epoch_order if self.epoch_order is not None else np.arange(self.n)
        return self._batch(order[i * self.batch_size:(i + 1) * self.batch_size])

    def reset(self):
        self.batch_index = 0

    def _batch(self, index, chunk=1024):
        gen = self.generator
        seeds = self.rng.integers(2**31, size=len(index))
        parts = []
        for s in range(0, len(index), chunk):  # bounded memory for big batches
            ix = index[s:s + chunk]
            params = [gen.get_random_transform(self.x.shape[1:], int(k))
                      for k in seeds[s:s + chunk]]
            parts.append(gen.standardize(gen._transform_batch(self.x[ix], params)))
        xb = np.concatenate(parts) if len(parts) > 1 else parts[0]
        out = [xb]
        if self.y is not None:
            out.append(self.y[index])
        if self.sample_weight is not None:
            out.append(self.sample_weight[index])
        return out[0] if len(out) == 1 else tuple(out)


def resolve_data_format(data_format, where):
    """``data_format``, or the global ``backend.image_data_format()`` when None."""
    data_format = backend.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{where}: data_format must be 'channels_last' or 'channels_first', "
                         f"received {data_format!r}")
    return data_format


def img_to_array(img, data_format=None, dtype=None):
    """An image (array-like, or a PIL image) as a float array: (h, w, channels), or
    (channels, h, w) for ``data_format='channels_first'``."""
    channels_first = resolve_data_format(data_format, "img_to_array") == "channels_first"
    x = np.asarray(img, dtype=dtype or backend.floatx())
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim != 3:
        raise ValueError(f"img_to_array: expected an image of rank 2 or 3, received shape "
                         f"{x.shape}")
    return x.transpose(2, 0, 1) if channels_first else x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A (h, w, 1|3|4) array, or (1|3|4, h, w) for ``data_format='channels_first'``, as a
    PIL image (needs Pillow), scaled to 0..255 by default; ``dtype`` is what the array is
    read as before scaling."""
    channels_first = resolve_data_format(data_format, "array_to_img") == "channels_first"
    Image = _pillow("array_to_img")
    x = np.asarray(x, dtype=dtype or float)
    if channels_first and x.ndim == 3:
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - x.min()
        x = x / max(x.max(), 1e-12) * 255
    x = x.astype(np.uint8)
    if x.ndim == 3 and x.shape[-1] == 1:
        x = x[:, :, 0]
    return Image.fromarray(x)


def _pillow(where):
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError(f"{where} needs Pillow: pip install pillow (or saessak[image])") from e
    return Image


# Keras's names for Pillow's resampling filters
_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
_COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """An image file (a path, or a file object) as a PIL image, as ``keras.utils.load_img``:
    converted to ``color_mode`` ('grayscale', 'rgb' or 'rgba') and, with ``target_size``
    (height, width), resized with ``interpolation``; ``keep_aspect_ratio`` first crops the
    centre to the target's proportions, so the image is not stretched."""
    Image = _pillow("load_img")
    if color_mode not in _COLOR_MODES:
        raise ValueError(f"load_img: color_mode must be one of {tuple(_COLOR_MODES)}, "
                         f"received {color_mode!r}")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"load_img: interpolation must be one of {_INTERPOLATIONS}, "
                         f"received {interpolation!r}")
    if isinstance(path, (str, bytes)) or hasattr(path, "__fspath__"):
        with open(path, "rb") as f:
            img = Image.open(f)
            img.load()  # read it all before the file closes
    else:
        img = Image.open(path)
    if img.mode != _COLOR_MODES[color_mode]:
        img = img.convert(_COLOR_MODES[color_mode])
    if target_size is None:
        return img
    height, width = target_size
    if (img.width, img.height) == (width, height):
        return img
    box = None
    if keep_aspect_ratio:  # the largest centred box with the target's proportions
        crop_w = min(img.width, round(img.height * width / height))
        crop_h = min(img.height, round(img.width * height / width))
        left, top = (img.width - crop_w) // 2, (img.height - crop_h) // 2
        box = (left, top, left + crop_w, top + crop_h)
    resample = getattr(Image.Resampling, interpolation.upper())
    return img.resize((width, height), resample=resample, box=box)


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Write an image array to a file, as ``keras.utils.save_img``: the array goes through
    :func:`array_to_img` (scaled to 0..255 unless ``scale=False``); ``file_format`` defaults
    to the file name's extension; ``kwargs`` go to Pillow's ``Image.save``. A JPEG has no
    alpha channel: an RGBA image is saved as RGB, with a warning."""
    img = array_to_img(x, data_format=data_format, scale=scale)
    name = str(path).lower() if isinstance(path, (str, bytes)) or hasattr(path, "__fspath__") \
        else ""
    jpeg = (file_format or "").lower() in ("jpg", "jpeg") or name.endswith((".jpg", ".jpeg"))
    if img.mode == "RGBA" and jpeg:
        warnings.warn("save_img: JPEG has no alpha channel; the image is saved as RGB",
                      stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)
