"""The one exception type for user mistakes: bad files, bad names, bad options."""

from __future__ import annotations


class StepgradError(Exception):
    """A mistake in what the user gave stepgrad, reported as one line.

    Attributes:
        message: what is wrong, in words a user can act on.
        source: the file (or other input) it is in, if any.
        location: where in it: ``line 3``, ``layer 2, weights row 1``, ``field 'loss'``.
    """

    def __init__(self, message: str, source: str | None = None, location: str | None = None) -> None:
        self.message = message
        self.source = source
        self.location = location
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """``file: location: message``, leaving out the parts that are unknown."""
        parts = [part for part in (self.source, self.location) if part]
        return ": ".join([*parts, self.message])

    def with_source(self, source: str) -> StepgradError:
        """The same error, said of ``source`` (when it did not know its file yet)."""
        return StepgradError(self.message, self.source or source, self.location)


def quantity(count: int, noun: str) -> str:
    """``1 number``, ``2 numbers``: a count with its noun, for messages."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
