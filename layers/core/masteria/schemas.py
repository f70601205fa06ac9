"""Shared pydantic bases: every model crossing a boundary rejects unknown fields."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
)
from pydantic_core import PydanticCustomError

NUL = "\x00"


def has_nul(value: object) -> bool:
    """Whether a NUL character hides in ``value`` (text, or text inside lists and mappings): PostgreSQL's text
    cannot hold one, so it is refused at the edge, as a 422 on its field, instead of failing in the database."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    return False


class StrictModel(BaseModel):
    """Request bodies, queue bodies, event details: unknown fields are an error, not ignored; no text holds NUL."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if has_nul(value):
            raise PydanticCustomError("nul_character", "text cannot contain the NUL character (\\u0000)")
        return value


class ReadModel(BaseModel):
    """Responses, built from domain objects (never persistence rows leaking as-is)."""

    model_config = ConfigDict(from_attributes=True)


_EMAIL = TypeAdapter(EmailStr)


def _email(value: Any, handler: ValidatorFunctionWrapHandler) -> str:
    """An email address, or the error ``invalid_email`` (pydantic's own is a bare ``value_error``)."""
    del handler
    try:
        return _EMAIL.validate_python(value)
    except ValidationError as error:
        reason = str(error.errors()[0].get("ctx", {}).get("reason", "")) or "not an email address"
        raise PydanticCustomError(
            "invalid_email", "value is not a valid email address: {reason}", {"reason": reason}
        ) from None


Email = Annotated[EmailStr, WrapValidator(_email)]
