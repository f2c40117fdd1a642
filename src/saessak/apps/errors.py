"""The command line's own error: a mistake the user can fix, reported without a traceback."""


class UsageError(Exception):
    """A mistake the user can fix; the message says how."""
