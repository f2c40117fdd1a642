"""Hashing and CategoryEncoding. The hash values were produced by TensorFlow 2.21
(``tf.strings.to_hash_bucket_fast`` / ``_strong``, and Keras 3.15's ``Hashing`` layer) and
are checked here against saessak's pure-Python FarmHash and SipHash."""

import numpy as np
import pytest

from saessak.layers import CategoryEncoding, Hashing
from saessak.layers.preprocessing.fingerprint import fingerprint64, siphash64


def _text(n):
    return "".join(chr(97 + (i * 7) % 26) for i in range(n))


# tf.strings.to_hash_bucket_fast(s, 2**63 - 1): Fingerprint64(s) mod 2**63 - 1, by length,
# covering every branch of FarmHash (0-16, 17-32, 33-64 bytes and the 64-byte loop)
FAST = {0: 1936946117179621456, 1: 3694432073954588132, 3: 3268219959478574187,
        4: 8899178591127745170, 7: 7865121719684446987, 8: 1420088497208371233,
        15: 2567849662781557868, 16: 8401081827976153439, 17: 2237273621417572890,
        31: 626755416451493349, 32: 1600711689105381821, 33: 8045080651094301868,
        63: 8393302367356270294, 64: 6926143071330858655, 65: 2768067016444695309,
        127: 4960837163188540313, 128: 1257756605311619470, 129: 1060550032972533880,
        200: 5852185341676273205}
# tf.strings.to_hash_bucket_strong(s, 2**63 - 1, key=[133, 7])
STRONG = {0: 7017924607280352077, 1: 3279621250050176426, 3: 5904355433983008594,
          4: 1758183746339985145, 7: 349928513814652669, 8: 1446713413383923543,
          15: 8776059382800506694, 16: 8023436240201226623, 17: 1830430934167907617,
          31: 8825365973929228849, 32: 372141527727729649, 33: 3157946064855761143,
          63: 7014146790935952864, 64: 3548601163871275396, 65: 7163392974272854225,
          127: 8656248587529066346, 128: 636973066597349426, 129: 270295448031217105,
          200: 4111961918637796851}
BUCKETS = 2**63 - 1


@pytest.mark.parametrize("n", sorted(FAST))
def test_fingerprint64_matches_tensorflow(n):
    assert fingerprint64(_text(n).encode()) % BUCKETS == FAST[n]


@pytest.mark.parametrize("n", sorted(STRONG))
def test_siphash_matches_tensorflow(n):
    assert siphash64((133, 7), _text(n).encode()) % BUCKETS == STRONG[n]


def test_utf8_text_hashes_its_bytes():
    assert fingerprint64("한국어 문장".encode()) % BUCKETS == 1619917890790493076
    assert siphash64((133, 7), "한국어 문장".encode()) % BUCKETS == 5573621467213071974


def test_hashing_layer_keras_examples():
    # the three examples of Keras's Hashing documentation, and integer inputs
    five = [["A"], ["B"], ["C"], ["D"], ["E"]]
    np.testing.assert_array_equal(Hashing(num_bins=3)(five).numpy().ravel(), [1, 0, 1, 1, 2])
    np.testing.assert_array_equal(
        Hashing(num_bins=3, mask_value="")([["A"], ["B"], [""], ["C"], ["D"]]).numpy().ravel(),
        [1, 1, 0, 2, 2])
    np.testing.assert_array_equal(Hashing(num_bins=3, salt=133)(five).numpy().ravel(),
                                  [0, 0, 2, 1, 0])
    ints = np.array([[1], [12], [-5], [123456789]])
    np.testing.assert_array_equal(Hashing(num_bins=1000)(ints).numpy().ravel(),
                                  [849, 888, 816, 306])
    np.testing.assert_array_equal(
        Hashing(num_bins=1000, mask_value=0)(np.array([[1], [0], [-5]])).numpy().ravel(),
        [766, 0, 829])
    np.testing.assert_array_equal(Hashing(num_bins=1000, salt=[1, 2])(["Hello", "TF"]).numpy(),
                                  [274, 201])


def test_hashing_encoded_outputs_and_bytes():
    mh = Hashing(num_bins=5, output_mode="multi_hot")(np.array([["a", "b"], ["c", "c"]]))
    np.testing.assert_array_equal(mh.numpy(), [[0, 0, 1, 0, 1], [0, 0, 1, 0, 0]])
    oh = Hashing(num_bins=5, output_mode="one_hot")(np.array(["a", "b", "c"]))
    assert oh.shape == (3, 5) and oh.numpy().sum() == 3
    same = Hashing(num_bins=7)
    np.testing.assert_array_equal(same([b"x", "x"]).numpy()[0], same(["x"]).numpy()[0])


def test_hashing_errors():
    with pytest.raises(ValueError, match="num_bins"):
        Hashing(num_bins=0)
    with pytest.raises(ValueError, match="salt"):
        Hashing(num_bins=3, salt="pepper")
    with pytest.raises(ValueError, match="output_mode"):
        Hashing(num_bins=3, output_mode="tf_idf")


def test_category_encoding_modes():
    layer = CategoryEncoding(num_tokens=4, output_mode="one_hot")
    np.testing.assert_array_equal(layer([3, 2, 0, 1]).numpy(), np.eye(4)[[3, 2, 0, 1]])
    assert layer([[3], [2]]).shape == (2, 4) and layer([[3, 1], [2, 0]]).shape == (2, 2, 4)
    data = [[0, 1], [0, 0], [1, 2], [3, 1]]
    np.testing.assert_array_equal(CategoryEncoding(4, "multi_hot")(data).numpy(),
                                  [[1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]])
    np.testing.assert_array_equal(CategoryEncoding(4, "count")(data).numpy(),
                                  [[1, 1, 0, 0], [2, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]])
    np.testing.assert_array_equal(CategoryEncoding(4, "multi_hot")([3, 1]).numpy(),
                                  [0, 1, 0, 1])  # a 1-D input is one sample
    weighted = CategoryEncoding(4, "count")([[0, 1], [0, 0]],
                                            count_weights=np.array([[.1, .2], [.1, .4]]))
    np.testing.assert_allclose(weighted.numpy(), [[.1, .2, 0, 0], [.5, 0, 0, 0]], rtol=1e-6)
    assert weighted.dtype == np.float32


def test_category_encoding_errors():
    with pytest.raises(ValueError, match=r"ids must be in \[0, num_tokens=4\)"):
        CategoryEncoding(4)([[0, 5]])
    with pytest.raises(ValueError, match="ids must be in"):
        CategoryEncoding(4)([[0, -1]])
    with pytest.raises(ValueError, match="num_tokens"):
        CategoryEncoding()
    with pytest.raises(ValueError, match="count_weights"):
        CategoryEncoding(4, "multi_hot")([[0]], count_weights=[[1.0]])
