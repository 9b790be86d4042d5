"""Errors raised when bytes from another component do not fit a contract."""


class InvalidEventError(ValueError):
    """A record is not a valid event of any known type and version.

    The message names the problem in a sentence (unknown type, unsupported
    version, which field failed) so it can go to a dead-letter queue as is.
    """


class UnsafeChannelEntryError(ValueError):
    """A channel parameter entry the capture task must not follow (bad name, or a source it must not fetch).

    The message says which entry and what to write instead.
    """
