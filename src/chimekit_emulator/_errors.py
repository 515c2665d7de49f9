"""The emulator package's one exception."""

from __future__ import annotations


class EmulatorError(Exception):
    """The emulator could not start, or an admin API call failed.

    Attributes:
        status: The admin API's HTTP status, when the failure was an error response.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
