"""Shared pydantic bases: every model crossing a boundary rejects unknown fields."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Request bodies, queue bodies, event details: unknown fields are an error, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReadModel(BaseModel):
    """Responses, built from domain objects (never persistence rows leaking as-is)."""

    model_config = ConfigDict(from_attributes=True)
