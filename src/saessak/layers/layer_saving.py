"""What a layer puts into a saved Keras 3 file beside its config, and how it is rebuilt
and refilled (Keras 3's saving hooks; :class:`.layer.Layer` inherits them).

A ``.keras`` file keeps each layer's state in its own group: ``save_own_variables`` fills a
dict (``store["0"] = kernel``) that becomes the group's ``vars``, and ``save_assets`` may
write files (a vocabulary) into a folder of the archive. Loading builds the layer from
``get_build_config``'s dict, then calls ``load_own_variables`` with the same keys, then
``load_assets``. Override them to keep state that is not a weight, or to build a layer
whose ``build`` takes more than a shape.
"""

from __future__ import annotations

import functools
import inspect

from .._nest import flatten

# the values Keras 3 trusts to make a config from a constructor's arguments
_PLAIN = (str, int, float, bool, type(None))


class SavingHooks:
    """Keras 3's saving hooks, with their default behaviour."""

    def __new__(cls, *args, **kwargs):
        # Keras 3 keeps the constructor's arguments: a user's layer that writes no
        # get_config still saves them (when they are plain values), so it loads again.
        instance = super().__new__(cls)
        instance.__dict__["_auto_config"] = _constructor_config(cls, args, kwargs)
        return instance

    def auto_config(self, config: dict) -> dict:
        """``config`` (the base layer's) with the constructor's arguments, as Keras 3 makes
        it for a class that does not write ``get_config``; base entries the constructor
        cannot take are left out. Unchanged where the arguments were not plain values."""
        arguments = self.__dict__.get("_auto_config")
        if arguments is None:
            return config
        if inspect.getfullargspec(type(self).__init__).varkw is None:
            config = {k: v for k, v in config.items() if k in _constructor_names(type(self))}
        return {**config, **arguments}

    def save_own_variables(self, store) -> None:
        """Put this layer's own weights (not its sublayers') in ``store``: "0", "1", ..."""
        for i, w in enumerate(self._own_weights_in_order()):
            store[str(i)] = w

    def load_own_variables(self, store) -> None:
        """Take this layer's own weights from ``store`` (what :meth:`save_own_variables`
        wrote)."""
        own = self._own_weights_in_order()
        if len(store) != len(own):
            raise ValueError(f"Layer {self.name!r} expected {len(own)} variables "
                             f"({[w.path for w in own]}), received {len(store)} "
                             f"({sorted(store.keys())}) while loading")
        for i, w in enumerate(own):
            w.assign(store[str(i)])

    def save_assets(self, dir_path) -> None:
        """Write files this layer needs besides its variables into ``dir_path`` (none)."""

    def load_assets(self, dir_path) -> None:
        """Read back what :meth:`save_assets` wrote into ``dir_path`` (nothing)."""

    def get_build_config(self):
        """What :meth:`build_from_config` needs to build this layer again (Keras 3 saves it
        beside the config): the input shape(s) it was built for, or None."""
        shapes = self._build_shapes
        return None if shapes is None else {"input_shape": shapes}

    def build_from_config(self, config) -> None:
        """Build from :meth:`get_build_config`'s dict (a layer with its own build arguments
        overrides both)."""
        shape = (config or {}).get("input_shape")
        if shape is not None and not self.built:
            self.build(tuple(shape) if not shape or not isinstance(shape[0], (list, tuple))
                       else [tuple(s) for s in shape])


@functools.cache
def _constructor_names(cls) -> tuple:
    """The names a class's ``__init__`` takes by position (after ``self``)."""
    return tuple(inspect.getfullargspec(cls.__init__).args[1:])


def _constructor_config(cls, args, kwargs):
    """The constructor's arguments by name, or None where one is not a plain value."""
    names = _constructor_names(cls)
    if len(args) > len(names):
        return None
    arguments = {**dict(zip(names, args)), **kwargs}
    if not all(isinstance(leaf, _PLAIN) for leaf in flatten(arguments)):
        return None
    return arguments
