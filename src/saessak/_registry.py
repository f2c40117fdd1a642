"""Name <-> object lookup shared by initializers, regularizers and constraints.

Keras lets each of these be given as a name (``'glorot_uniform'``), a config dict read
back from a file (``{'class_name': ..., 'config': ...}``), a class, an instance, or any
callable. One ``Registry`` per module turns all of those into an object, and back.
"""

from __future__ import annotations


class Configurable:
    """What every initializer, regularizer and constraint shares: a config dict that
    rebuilds the object (``get_config`` / ``from_config``) and a repr made from it."""

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Registry:
    """``get``/``serialize``/``deserialize`` for the subclasses of ``base``.

    ``classes`` maps class names to classes; ``names`` maps snake_case names (and aliases)
    to factories that take no arguments.
    """

    def __init__(self, kind: str, base: type, classes: dict, names: dict):
        self.kind, self.base = kind, base
        self.classes, self.names = classes, {**classes, **names}

    def get(self, identifier):
        """The object for ``identifier``; ``None`` stays ``None``."""
        if identifier is None or isinstance(identifier, self.base):
            return identifier
        if isinstance(identifier, str):
            factory = self.names.get(identifier)
            if factory is None:
                raise ValueError(f"{self.kind}s.get: unknown {self.kind} {identifier!r}; "
                                 f"known names: {sorted(self.names)}")
            return factory()
        if isinstance(identifier, dict):
            return self.deserialize(identifier)
        if isinstance(identifier, type) and issubclass(identifier, self.base):
            return identifier()
        if callable(identifier):
            return identifier
        raise ValueError(f"{self.kind}s.get: expected a name, a dict, a {self.base.__name__} "
                         f"or a callable, received {identifier!r}")

    def serialize(self, obj):
        """``{'class_name': ..., 'config': ...}`` for an object (or a name, or a config)."""
        if obj is None:
            return None
        if isinstance(obj, (str, dict)):  # a name, or a config read back from a file
            obj = self.get(obj)
        if not isinstance(obj, self.base):
            raise ValueError(f"{self.kind}s.serialize: expected a {self.base.__name__}, a name "
                             f"or None, received {obj!r}")
        return {"class_name": type(obj).__name__, "config": obj.get_config()}

    def deserialize(self, config):
        """The object that :meth:`serialize` described (or a name resolved by :meth:`get`)."""
        if isinstance(config, str):
            return self.get(config)
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(f"{self.kind}s.deserialize: expected a name or a dict with "
                             f"'class_name' and 'config', received {config!r}")
        cls = self.classes.get(config["class_name"]) or self.names.get(config["class_name"])
        if not isinstance(cls, type):
            raise ValueError(f"{self.kind}s.deserialize: unknown {self.kind} "
                             f"{config['class_name']!r}; known: {sorted(self.classes)}")
        return cls.from_config(config.get("config") or {})
