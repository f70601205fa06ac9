"""Shared pydantic bases: every model crossing a boundary rejects unknown fields."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, TypeAdapter, ValidationError, ValidatorFunctionWrapHandler
from pydantic import WrapValidator as _Wrap
from pydantic_core import PydanticCustomError


class StrictModel(BaseModel):
    """Request bodies, queue bodies, event details: unknown fields are an error, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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


Email = Annotated[EmailStr, _Wrap(_email)]
