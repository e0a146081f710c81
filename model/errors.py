"""Errors that reach the user as one line; each names the thing and what to do.

They live apart from the modules that raise them, so any layer can raise or
catch them without importing the machinery behind them.
"""

from __future__ import annotations


class DatasetError(ValueError):
    """Bad training data; the one-line message names the file and what to do."""


class ClusterError(ValueError):
    """Bad TF_CONFIG or a worker that cannot be reached; the one-line message names the setting or address."""


def first_line(err: BaseException) -> str:
    """The first line of an exception's message, or its type's name when it has none.

    Libraries (Keras, the TFLite converter) raise many types with multi-line messages;
    the user's one-line error quotes only this.
    """
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
