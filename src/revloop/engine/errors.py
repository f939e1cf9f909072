"""The engine's one error for input it refuses.

A file that cannot be read, a mapping or catalog that does not parse, outcomes that
cannot be compared: each engine module raises its own subclass, with a message a person
can act on. The apps answer every one of them the same way, as invalid input
(:func:`revloop.core.errors.as_domain_error`), so no caller translates them itself.
"""

from __future__ import annotations


class EngineInputError(ValueError):
    """The input given to the engine cannot be used as it is; the message says why."""
