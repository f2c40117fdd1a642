"""One mechanism for "a name, or ``{'class_name', 'config'}``, -> the object", as Keras's
``saving/object_registration.py`` has it.

Usage. Each kind of object keeps one :class:`Registry` of saessak's own objects::

    INITIALIZERS = Registry("initializer", Initializer)
    INITIALIZERS.register(GlorotUniform)                   # under its class name
    INITIALIZERS.register(GlorotUniform, "glorot_uniform")  # and an alias
    INITIALIZERS.get("glorot_uniform")         # -> GlorotUniform()
    INITIALIZERS.serialize(init)               # -> {'class_name': ..., 'config': ...}
    INITIALIZERS.deserialize(spec, custom_objects)

A user's objects never enter those tables. They come, in this order of precedence, from the
``custom_objects`` argument, from the active ``with custom_object_scope({...}):`` blocks
(innermost first), and from the global objects (``@register_keras_serializable()``, stored
as ``'package>Name'``, or ``get_custom_objects()['Name'] = obj``); saessak's own table comes
last. A registered class is also found by its bare name, but only where saessak has no
object of that name, so a user's ``Dense`` never replaces the built-in for others. Two hooks
keep the differences between kinds out of this module: ``make(obj, name)`` turns an object
found in saessak's table by name into the result of ``get`` (default: call it, so a class
gives an instance with default arguments), and ``fold(name)`` normalises names before they
meet saessak's table (``str.lower`` gives case-insensitive names).
"""

from __future__ import annotations

import difflib
import inspect
import threading

# The objects registered by the user for every kind, by name ('package>Name' or bare).
_GLOBAL_OBJECTS: dict = {}
# object -> the name it was registered under (register_keras_serializable)
_GLOBAL_NAMES: dict = {}
_SCOPES = threading.local()  # .stack: the dicts of the active custom_object_scope blocks


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


# --- the user's objects: global, and scoped ------------------------------------------------------


def get_custom_objects() -> dict:
    """The live global dict of the user's objects: ``get_custom_objects()['f'] = f`` makes
    ``f`` known everywhere. Objects of a ``custom_object_scope`` are not in it."""
    return _GLOBAL_OBJECTS


def register_keras_serializable(package="Custom", name=None):
    """A decorator that makes a class or function known by ``'package>name'`` (``name``
    defaults to its ``__name__``), so files that name it load without ``custom_objects``.

    >>> @register_keras_serializable(package="my_package")
    ... class Scale(saessak.layers.Layer): ...
    """
    def decorator(obj):
        key = f"{package}>{name or obj.__name__}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(f"register_keras_serializable: cannot register {obj.__name__}: "
                             "a class needs a get_config() method to be saved")
        if key in _GLOBAL_OBJECTS and _GLOBAL_OBJECTS[key] is not obj:
            raise ValueError(f"register_keras_serializable: {key!r} is already registered "
                             f"to {_GLOBAL_OBJECTS[key]!r}")
        _GLOBAL_OBJECTS[key] = obj
        _GLOBAL_NAMES[obj] = key
        return obj
    return decorator


def get_registered_name(obj) -> str:
    """The name ``obj`` is saved under: its registered ``'package>name'``, else its
    ``__name__``."""
    return _GLOBAL_NAMES.get(obj) or obj.__name__


def _scopes() -> list:
    if not hasattr(_SCOPES, "stack"):
        _SCOPES.stack = []
    return _SCOPES.stack


class CustomObjectScope:
    """``with custom_object_scope({'Scale': Scale}):`` makes the objects known to every
    lookup made inside the block (``load_model``, ``from_config`` of nested layers, ...).
    Blocks nest; the innermost wins. Several dicts may be given."""

    def __init__(self, *custom_objects):
        for objects in custom_objects:
            if objects is not None and not isinstance(objects, dict):
                raise TypeError(f"custom_object_scope: expected dicts of {{name: object}}, "
                                f"received {objects!r}")
        self.custom_objects = {}
        for objects in custom_objects:
            self.custom_objects.update(objects or {})

    def __enter__(self):
        _scopes().append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scopes().pop()
        return False


custom_object_scope = CustomObjectScope


def scoped_objects(custom_objects=None) -> dict:
    """The user's objects visible here: the active scopes, innermost on top, then the
    explicit ``custom_objects`` over them (what a ``from_config(config, custom_objects)``
    should be given)."""
    merged = {}
    for objects in _scopes():
        merged.update(objects)
    merged.update(custom_objects or {})
    return merged


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object called ``name`` in ``custom_objects``, the active scopes, the global
    objects or ``module_objects`` (in that order); ``None`` when none has it."""
    for table in (scoped_objects(custom_objects), _GLOBAL_OBJECTS, module_objects or {}):
        if name in table:
            return table[name]
    return None


# --- one registry per kind ------------------------------------------------------------------


def _call(obj, name):
    return obj()


class Registry:
    """saessak's own objects of one kind (``'layer'``, ``'initializer'``, ...) by name, and
    ``get``/``serialize``/``deserialize`` that also see the user's objects (see the module
    docstring for the order). ``noun`` names the kind in error messages (``'layer class'``),
    ``module`` the functions' home (default: the kind plus an s, ``'losses'`` for losses)."""

    def __init__(self, kind: str, base: type | None = None, table: dict | None = None, *,
                 make=_call, fold=None, noun=None, module=None):
        self.kind, self.base, self.noun = kind, base, noun or kind
        self.module = module or f"{kind}s"
        self.make, self.fold = make, fold or (lambda name: name)
        self._table: dict = {}  # folded name -> object
        self._names: dict = {}  # object -> its first (canonical) name
        for name, obj in (table or {}).items():
            self.register(obj, name)

    def register(self, obj, name=None):
        """Add ``obj`` under ``name`` (default: its ``__name__``); the first name an object
        gets is the one ``serialize`` writes. Returns ``obj``, so it works as a decorator.
        Two different saessak objects under one name is a bug: it raises."""
        name = name or obj.__name__
        key = self.fold(name)
        old = self._table.get(key)
        if old is not None and old is not obj and not _same_definition(old, obj):
            raise ValueError(f"{self.kind} registry: {name!r} is already {old!r}; "
                             f"cannot register {obj!r} under the same name")
        self._table[key] = obj
        if old is not None and old in self._names:  # a module reloaded: the new class
            self._names[obj] = self._names.pop(old)
        self._names.setdefault(obj, name)
        return obj

    def names(self) -> list:
        """saessak's own names of this kind."""
        return sorted(self._table)

    def own(self, name):
        """saessak's own object called ``name`` (never a user's), or ``None``."""
        return self._table.get(self.fold(name)) if isinstance(name, str) else None

    def lookup(self, name, custom_objects=None):
        """The object called ``name`` (``'package>Name'`` or ``'Name'``), or ``None``."""
        if not isinstance(name, str):
            return None
        user = scoped_objects(custom_objects)
        bare = name.rpartition(">")[2]
        for table, key in ((user, name), (_GLOBAL_OBJECTS, name), (user, bare)):
            if key in table:
                return table[key]
        own = self.own(bare)
        if own is not None:
            return own
        registered = [obj for key, obj in _GLOBAL_OBJECTS.items()
                      if key.rpartition(">")[2] == bare]
        return registered[0] if len(registered) == 1 else None

    def get(self, identifier, custom_objects=None):
        """The object for a name, a config dict, a class (instantiated), an instance or a
        callable (returned as is); ``None`` stays ``None``."""
        if identifier is None or (self.base is not None and isinstance(identifier, self.base)):
            return identifier
        if isinstance(identifier, str):
            return self._from_name(identifier, custom_objects, f"{self.module}.get")
        if isinstance(identifier, dict):
            return self.deserialize(identifier, custom_objects)
        if inspect.isclass(identifier) and (self.base is None
                                            or issubclass(identifier, self.base)):
            return identifier()
        if callable(identifier):
            return identifier
        what = f"a {self.base.__name__}, " if self.base is not None else ""
        raise ValueError(f"{self.module}.get: expected a name, a config dict, {what}or a "
                         f"callable, received {identifier!r}")

    def _from_name(self, name, custom_objects, where):
        user = self._user_object(name, custom_objects)
        if user is not None:
            return user() if inspect.isclass(user) else user
        obj = self.lookup(name)
        if obj is None:
            raise self.unknown(name, where)
        return self.make(obj, name)

    def _user_object(self, name, custom_objects):
        """The user's object called ``name``, if it is one (not one of saessak's own)."""
        obj = self.lookup(name, custom_objects)
        return None if obj is None or self.own(name.rpartition(">")[2]) is obj else obj

    def unknown(self, name, where) -> ValueError:
        """The error for a name nobody registered: it says how to make it known."""
        known, label = self.names(), "saessak's names"
        if len(known) > 40:  # too many to read: those that look like the name
            known = difflib.get_close_matches(name, known, n=6, cutoff=0.6)
            label = "saessak's names like it"
        listing = f" {label}: {known}." if known else ""
        return ValueError(
            f"{where}: unknown {self.noun} {name!r}.{listing} If it is your own, pass it "
            f"as custom_objects={{{name!r}: ...}} (load_model, model_from_json, from_config), "
            "use it inside `with saessak.utils.custom_object_scope({...}):`, or decorate it "
            "with @saessak.saving.register_keras_serializable()")

    def serialize(self, obj):
        """``{'class_name', 'config'}`` for an object with ``get_config`` (plus
        ``'registered_name'`` when the user registered its class); a function's name."""
        if obj is None or isinstance(obj, dict):
            return obj
        if isinstance(obj, str):  # a name: an object's config, a function's name as given
            made = self.get(obj)
            return obj if inspect.isroutine(made) else self.serialize(made)
        if hasattr(obj, "get_config") and not inspect.isclass(obj):
            cls = type(obj)
            spec = {"class_name": cls.__name__, "config": obj.get_config()}
            if cls in _GLOBAL_NAMES:
                spec["registered_name"] = _GLOBAL_NAMES[cls]
            return spec
        if callable(obj) and hasattr(obj, "__name__"):
            return self._names.get(obj) or get_registered_name(obj)
        raise ValueError(f"{self.module}.serialize: expected a {self.kind} (an object with "
                         f"get_config, or a function), a name or None, received {obj!r}")

    def deserialize(self, config, custom_objects=None):
        """The object that :meth:`serialize` described. ``from_config`` runs inside
        ``custom_object_scope(custom_objects)``, so nested objects see them too."""
        where = f"{self.module}.deserialize"
        if isinstance(config, str):
            return self._from_name(config, custom_objects, where)
        if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
            raise ValueError(f"{where}: expected a name or a dict with 'class_name' and "
                             f"'config', received {config!r}")
        name, inner = config["class_name"], config.get("config")
        if name == "function" and isinstance(inner, str):  # Keras 3 names a function so
            return self.deserialize(inner, custom_objects)
        obj = self.lookup(config.get("registered_name"), custom_objects) or \
            self.lookup(name, custom_objects)
        if obj is None:
            raise self.unknown(name, where)
        if not hasattr(obj, "from_config"):
            if callable(obj) and not inner:  # a function named in a config
                return self._from_name(name, custom_objects, where)
            raise ValueError(f"{where}: {name!r} is {obj!r}, which has no from_config")
        with CustomObjectScope(custom_objects):
            if "custom_objects" in inspect.signature(obj.from_config).parameters:
                return obj.from_config(dict(inner or {}),
                                       custom_objects=scoped_objects(custom_objects))
            return obj.from_config(dict(inner or {}))


def _same_definition(a, b) -> bool:
    """The same class or function defined again (a module reloaded)."""
    return (getattr(a, "__module__", None) == getattr(b, "__module__", 0)
            and getattr(a, "__qualname__", None) == getattr(b, "__qualname__", 0))
