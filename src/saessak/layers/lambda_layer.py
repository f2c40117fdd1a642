"""Lambda: wrap any function of tensors as a layer.

Its function is code, and saessak never loads code from a file: a saved model that holds a
Lambda loads only when ``custom_objects`` gives the function again under its name.
"""

from __future__ import annotations

from .layer import Layer


class Lambda(Layer):
    """``Lambda(lambda x: x * 2)`` calls the function on the input.

    ``output_shape`` (without the batch axis, or a function of the input shape) tells
    functional models the output shape; without it the shape is found by a trial run.
    ``arguments`` are extra keyword arguments for the function; ``mask`` is the output mask
    (a tensor, or a function ``mask(inputs, previous_mask)``).
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable, received "
                            f"{type(function).__name__}")
        self.function = function
        self._output_shape = output_shape
        self.mask = mask
        self.arguments = dict(arguments or {})
        self.built = True

    def call(self, inputs, *args):
        return self.function(inputs, *args, **self.arguments)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            raise NotImplementedError  # the caller will find it by a trial run
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = input_shape[0] if input_shape and not isinstance(input_shape[0], tuple) \
            else None
        return (first,) + tuple(self._output_shape)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self):
        name = getattr(self.function, "__name__", type(self.function).__name__)
        output_shape = self._output_shape
        if callable(output_shape):
            output_shape = None
        return {**super().get_config(), "function": name,
                "output_shape": None if output_shape is None else list(output_shape),
                "arguments": self.arguments}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        name = config.pop("function")
        fn = (custom_objects or {}).get(name)
        if fn is None:
            raise ValueError(
                f"Lambda layer {config.get('name')!r} wraps the function {name!r}, and saessak "
                f"does not load code from files; pass it back: load_model(path, "
                f"custom_objects={{{name!r}: your_function}})")
        return cls(fn, **config)
