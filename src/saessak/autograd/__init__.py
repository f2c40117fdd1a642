"""The autodiff engine: Tensor, Function, backward(), no_grad and the gradient checker."""

from .gradcheck import GradCheckResult, grad_check
from .tensor import Function, Tensor, backward, enable_grad, is_grad_enabled, no_grad, sum_to_shape
from .variable import Variable
