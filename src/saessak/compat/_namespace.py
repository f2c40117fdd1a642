"""Namespaces such as ``tf.math`` and ``tf.nn``: a module object whose unknown names say
plainly that saessak does not provide them, instead of a bare AttributeError."""

from __future__ import annotations

import types

COMPATIBILITY_DOC = "docs/compatibility.md"


def missing(qualified_name: str) -> AttributeError:
    """The error for a TensorFlow name saessak lacks, e.g. ``missing("tf.foo")``."""
    return AttributeError(
        f"saessak does not provide {qualified_name}; see {COMPATIBILITY_DOC} for the "
        "TensorFlow/Keras names saessak supports and those it leaves out (with the reason)")


class Namespace(types.ModuleType):
    """A read-only bag of functions under a TensorFlow name (``tf.strings``, ``tf.nn`` ...)."""

    def __init__(self, qualified_name: str, doc: str, **members):
        super().__init__(qualified_name, doc)
        self.__dict__.update(members)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise missing(f"{self.__name__}.{name}")

    def __dir__(self):
        return sorted(k for k in self.__dict__ if not k.startswith("__"))

    def __repr__(self):
        return f"<saessak namespace {self.__name__}>"
