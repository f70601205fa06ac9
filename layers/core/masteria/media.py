"""Time-limited links to stored files: presigned S3 URLs on AWS; locally, links to the API whose token is what the
link allows (an object key, an expiry, …), signed with HMAC-SHA256.

- ``MediaLinks``: downloads (inbound media), locally ``GET /v1/media/{token}``.
- ``UploadLinks``: a browser's upload straight to the object store (knowledge documents larger than an API request
  may be on AWS), locally ``PUT /v1/uploads/{token}``, which enforces the size the link allows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from masteria.errors import NotFound
from masteria.ports import Clock, ObjectStore

LINK_TTL = timedelta(minutes=15)
UPLOAD_TTL = timedelta(hours=1)


class _Tokens:
    """Signed tokens of a few ``:``-separated fields, the first an expiry (a Unix time); the last may hold ``:``."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def _mac(self, payload: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self._secret, payload, hashlib.sha256).digest()[:18]).decode()

    def seal(self, expires: datetime, *fields: str) -> str:
        payload = ":".join((str(int(expires.timestamp())), *fields)).encode()
        return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + self._mac(payload)

    def open(self, token: str, *, fields: int, now: datetime, what: str) -> list[str]:
        """The fields of a valid, unexpired token; NotFound (``what`` not found) for any other, alike."""
        encoded, _, mac = token.partition(".")
        try:
            payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            expires, *values = payload.decode().split(":", fields)
            valid = len(values) == fields and int(expires) >= now.timestamp()
        except ValueError as error:
            raise NotFound(f"{what} not found") from error
        if not valid or not hmac.compare_digest(mac, self._mac(payload)):
            raise NotFound(f"{what} not found")
        return values


class MediaLinks:
    def __init__(self, store: ObjectStore, secret: str, clock: Clock) -> None:
        self._store, self._tokens, self._clock = store, _Tokens(secret), clock

    def url(self, key: str, *, base_url: str = "", mime_type: str | None = None) -> str:
        presigned = self._store.download_url(key, expires_seconds=int(LINK_TTL.total_seconds()))
        if presigned is not None:
            return presigned
        token = self._tokens.seal(self._clock.now() + LINK_TTL, mime_type or "application/octet-stream", key)
        return f"{base_url.rstrip('/')}/v1/media/{token}"

    def key(self, token: str, *, now: datetime) -> tuple[str, str]:
        """(object key, media type) of a valid, unexpired token; NotFound otherwise (the same for any bad token)."""
        mime_type, key = self._tokens.open(token, fields=2, now=now, what="media")
        return key, mime_type


class UploadLinks:
    def __init__(self, store: ObjectStore, secret: str, clock: Clock) -> None:
        self._store, self._tokens, self._clock = store, _Tokens(secret), clock

    def url(self, key: str, *, max_bytes: int, base_url: str = "") -> tuple[str, datetime]:
        """Where to ``PUT`` the object at ``key`` (at most ``max_bytes``), and until when."""
        expires = self._clock.now() + UPLOAD_TTL
        presigned = self._store.upload_url(key, expires_seconds=int(UPLOAD_TTL.total_seconds()), max_bytes=max_bytes)
        if presigned is not None:
            return presigned, expires
        return f"{base_url.rstrip('/')}/v1/uploads/{self._tokens.seal(expires, str(max_bytes), key)}", expires

    def target(self, token: str, *, now: datetime) -> tuple[str, int]:
        """(object key, size limit) of a valid, unexpired upload token; NotFound otherwise."""
        max_bytes, key = self._tokens.open(token, fields=2, now=now, what="upload")
        return key, int(max_bytes)
