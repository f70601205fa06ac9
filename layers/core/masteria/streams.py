"""Reading a client's upload without ever holding more of it than allowed."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO

from masteria.errors import FieldError, Invalid


def too_large(field: str, max_bytes: int) -> Invalid:
    """The 422 of a file larger than ``max_bytes`` (whole megabytes)."""
    mb = max_bytes // (1024 * 1024)
    return Invalid(
        f"the file is larger than {mb} MB",
        [FieldError(field, f"at most {mb} MB", code="file_too_large", params={"max_mb": mb})],
    )


class Limited(io.RawIOBase):
    """Reads ``source`` and raises ``too_large()`` past ``limit`` bytes, so an oversized upload is never stored whole
    (wrap it in ``io.BufferedReader`` to hand it to ``ObjectStore.put``)."""

    def __init__(self, source: IO[bytes], limit: int, too_large: Callable[[], Exception]) -> None:
        self._source, self._left, self._too_large = source, limit, too_large

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._source.read(len(buffer))
        self._left -= len(data)
        if self._left < 0:
            raise self._too_large()
        buffer[: len(data)] = data
        return len(data)
