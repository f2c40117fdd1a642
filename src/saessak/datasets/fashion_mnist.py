"""Fashion-MNIST: 70,000 28x28 grayscale images of 10 kinds of clothing (Zalando).

    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()

Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt,
7 Sneaker, 8 Bag, 9 Ankle boot (``CLASS_NAMES``).
"""

from ._files import fetch
from ._idx import load_four

DATASET = "fashion_mnist"
BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# sha256 of Zalando's original files (their md5s are in Zalando's README)
FILES = {
    "train-labels-idx1-ubyte.gz":
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "train-images-idx3-ubyte.gz":
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "t10k-labels-idx1-ubyte.gz":
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "t10k-images-idx3-ubyte.gz":
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
}
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")


def load_data(path=None):
    """``(x_train, y_train), (x_test, y_test)``: uint8 images (n, 28, 28), uint8 labels.

    ``path``: a folder holding the four ``*-ubyte.gz`` files (optional).
    """
    order = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    paths = [fetch(DATASET, name, BASE_URL + name, FILES[name], path,
                   cache_subdir="fashion-mnist") for name in order]
    return load_four(paths)
