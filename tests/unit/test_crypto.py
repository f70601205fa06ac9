"""Sealed secrets: AES-256-GCM whose associated data binds company, table, column and row."""

from __future__ import annotations

import os
import uuid

import pytest

from masteria import crypto
from masteria.crypto import SecretUnreadable, seal, unseal

KEY = os.urandom(32)
PLACE = {
    "company_id": uuid.UUID(int=1),
    "table": "channel_connections",
    "column": "access_token",
    "row_id": uuid.UUID(int=2),
}


def test_round_trip_with_a_fresh_nonce_each_time() -> None:
    first, second = seal("EAAG-secret", key=KEY, **PLACE), seal("EAAG-secret", key=KEY, **PLACE)  # type: ignore[arg-type]
    assert first != second and first[0] == crypto.VERSION
    assert first[1:13] != second[1:13]  # nonces differ
    assert b"EAAG-secret" not in first
    assert unseal(first, key=KEY, **PLACE) == unseal(second, key=KEY, **PLACE) == "EAAG-secret"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "moved",
    [
        {"company_id": uuid.UUID(int=9)},
        {"table": "webhook_endpoints"},
        {"column": "app_secret"},
        {"row_id": uuid.UUID(int=3)},
    ],
    ids=["another company", "another table", "another column", "another row"],
)
def test_a_ciphertext_moved_anywhere_else_does_not_open(moved: dict[str, object]) -> None:
    sealed = seal("EAAG-secret", key=KEY, **PLACE)  # type: ignore[arg-type]
    with pytest.raises(SecretUnreadable):
        unseal(sealed, key=KEY, **{**PLACE, **moved})  # type: ignore[arg-type]


def test_tampering_another_key_or_an_unknown_version_do_not_open() -> None:
    sealed = seal("EAAG-secret", key=KEY, **PLACE)  # type: ignore[arg-type]
    flipped = sealed[:-1] + bytes([sealed[-1] ^ 1])
    for bad, key in ((flipped, KEY), (sealed, os.urandom(32)), (b"\x02" + sealed[1:], KEY), (sealed[:10], KEY)):
        with pytest.raises(SecretUnreadable):
            unseal(bad, key=key, **PLACE)  # type: ignore[arg-type]
