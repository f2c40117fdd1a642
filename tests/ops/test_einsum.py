"""``ops.einsum`` (also ``tf.einsum`` and ``keras.ops.einsum``): values against NumPy's
einsum, and every operand's gradient against central differences."""

import numpy as np
import pytest

import saessak as tf
from saessak import Tensor, grad_check, ops

CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),               # a matmul
    ("bij,ijkl->bkl", [(2, 3, 2), (3, 2, 2, 3)]),  # the Keras RNN guide's nested cell
    ("bqhd,bkhd->bhqk", [(2, 3, 2, 4), (2, 5, 2, 4)]),  # attention scores
    ("ij->i", [(3, 4)]),                           # a subscript of its own, summed away
    ("ij->", [(3, 4)]),
    ("i,i", [(3,), (3,)]),                         # implicit output: a dot product
    ("ij,k->ijk", [(2, 3), (4,)]),                 # an outer product
    ("abc,cd,de->abe", [(2, 3, 4), (4, 2), (2, 3)]),  # three operands
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 2)]),
    ("...ij,...jk->...ik", [(1, 3, 4), (2, 4, 2)]),  # '...' broadcasting a size-1 axis
    ("...ij,jk", [(2, 3, 4), (4, 2)]),             # implicit, with '...'
    ("i...j,j->i...", [(2, 3, 4), (4,)]),          # '...' in the middle
    ("ij,ij->j", [(1, 3), (2, 3)]),                # a size-1 letter axis broadcasting
]


@pytest.mark.parametrize("equation,shapes", CASES)
def test_einsum_values_and_gradients(equation, shapes):
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=s) for s in shapes]
    out = ops.einsum(equation, *(Tensor(a) for a in arrays))  # float64 kept
    np.testing.assert_allclose(out.numpy(), np.einsum(equation, *arrays), rtol=1e-12)
    result = grad_check(lambda *xs: ops.einsum(equation, *xs), *arrays)
    assert result.ok, result


def test_only_the_operands_that_need_it_get_a_gradient():
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = np.full((3, 4), 2.0)  # a constant
    ops.einsum("ij,jk->ik", a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, np.full((2, 3), 8.0))  # row sums of b


def test_tensorflow_and_keras_names_and_float32():
    a = np.arange(6, dtype="float32").reshape(2, 3)
    b = np.ones((3, 2), "float32")
    for einsum in (tf.einsum, tf.keras.ops.einsum):
        out = einsum("ij,jk->ik", a, b)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out.numpy(), a @ b)


def test_bad_einsums_say_what_is_wrong():
    with pytest.raises(ValueError, match="names 2 operands, received 1"):
        ops.einsum("ij,jk->ik", np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"does not fit operands of shapes \[\(2, 3\), \(4, 2\)\]"):
        ops.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="names 2 axes for an operand of rank 3"):
        ops.einsum("ij->i", np.ones((2, 3, 4)))
    x = Tensor(np.ones((3, 3)), requires_grad=True)
    with pytest.raises(NotImplementedError, match="repeated subscript"):
        ops.einsum("ii->i", x).sum().backward()  # the diagonal's forward works; not its grad
