"""Origins for the browser's refresh cookie: how they compare, and the ALLOWED_ORIGINS setting."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from functions.api.cookies import normalize_origin
from masteria.settings import Settings


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("https://App.Example.com", "https://app.example.com"),
        ("https://app.example.com:443", "https://app.example.com"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://localhost:80/", "http://localhost"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("null", None),
        ("", None),
        ("ftp://app.example.com", None),
        ("https://app.example.com/path", None),
        ("https://app.example.com:99999", None),
        ("https://", None),
    ],
)
def test_normalize_origin(value: str, origin: str | None) -> None:
    assert normalize_origin(value) == origin


def test_allowed_origins_come_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://D1.cloudfront.net/, http://localhost:5173")
    assert Settings().allowed_origins == ("https://d1.cloudfront.net", "http://localhost:5173")
    monkeypatch.setenv("ALLOWED_ORIGINS", "")
    assert Settings().allowed_origins == ()
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://app.example.com/login")
    with pytest.raises(ValidationError, match="not an origin"):
        Settings()
