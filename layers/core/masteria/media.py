"""Time-limited links to stored files (inbound media): presigned S3 URLs on AWS; locally, links to the
API's ``/v1/media/{token}`` whose token is the object key and an expiry, signed with HMAC-SHA256."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from masteria.errors import NotFound
from masteria.ports import Clock, ObjectStore

LINK_TTL = timedelta(minutes=15)


class MediaLinks:
    def __init__(self, store: ObjectStore, secret: str, clock: Clock) -> None:
        self._store, self._secret, self._clock = store, secret.encode(), clock

    def _mac(self, payload: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self._secret, payload, hashlib.sha256).digest()[:18]).decode()

    def url(self, key: str, *, base_url: str = "", mime_type: str | None = None) -> str:
        presigned = self._store.download_url(key, expires_seconds=int(LINK_TTL.total_seconds()))
        if presigned is not None:
            return presigned
        expires = int((self._clock.now() + LINK_TTL).timestamp())
        payload = f"{expires}:{mime_type or 'application/octet-stream'}:{key}".encode()
        token = base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + self._mac(payload)
        return f"{base_url.rstrip('/')}/v1/media/{token}"

    def key(self, token: str, *, now: datetime) -> tuple[str, str]:
        """(object key, media type) of a valid, unexpired token; NotFound otherwise (the same for any bad token)."""
        encoded, _, mac = token.partition(".")
        try:
            payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            expires, mime_type, key = payload.decode().split(":", 2)
        except ValueError as error:
            raise NotFound("media not found") from error
        if not hmac.compare_digest(mac, self._mac(payload)) or int(expires) < now.timestamp():
            raise NotFound("media not found")
        return key, mime_type
