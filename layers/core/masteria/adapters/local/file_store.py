"""The ``ObjectStore`` port on a local folder (the local runtime and the tests)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import IO

_KEY = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")


class FileStore:
    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    def _path(self, key: str) -> Path:
        if not _KEY.match(key) or ".." in key.split("/"):
            raise ValueError(f"invalid object key {key!r}")
        return self._root / key

    def put(self, key: str, data: IO[bytes]) -> int:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(path.suffix + ".part")
        with partial.open("wb") as out:
            shutil.copyfileobj(data, out, 1024 * 1024)
        os.replace(partial, path)  # readers never see half a file
        return path.stat().st_size

    def open(self, key: str) -> IO[bytes]:
        return self._path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int | None:
        path = self._path(key)
        return path.stat().st_size if path.is_file() else None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def upload_url(self, key: str, *, expires_seconds: int, max_bytes: int) -> str | None:
        return None  # the local runtime's API takes uploads itself

    def download_url(self, key: str, *, expires_seconds: int) -> str | None:
        return None  # the local runtime's API serves files itself, behind signed links (masteria.media)
