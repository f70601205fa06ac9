"""The typed shapes the ``LLM`` and ``Embedder`` ports speak (the ports themselves are in ``masteria.ports``).

The domain builds a ``ChatRequest`` and reads a ``ChatResult``; no vendor's payload crosses this line, so a persona,
the responder and their tests never depend on which OpenAI-compatible server answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

_FROZEN = ConfigDict(frozen=True, extra="forbid")
TOOL_NAME = r"^[A-Za-z0-9_-]{1,64}$"  # what OpenAI accepts as a function's name


class SystemMessage(BaseModel):
    """The persona's instructions (and the retrieved context the responder adds to them)."""

    model_config = _FROZEN
    role: Literal["system"] = "system"
    content: str


class UserMessage(BaseModel):
    """What the customer said."""

    model_config = _FROZEN
    role: Literal["user"] = "user"
    content: str


class ToolCall(BaseModel):
    """A tool the model asked for, with its arguments already parsed from the model's JSON."""

    model_config = _FROZEN
    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class AssistantMessage(BaseModel):
    """An earlier answer of the model: text, tool calls, or both (kept to continue after tool results)."""

    model_config = _FROZEN
    role: Literal["assistant"] = "assistant"
    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()


class ToolResultMessage(BaseModel):
    """What a tool the model called returned, answering the call with that id."""

    model_config = _FROZEN
    role: Literal["tool"] = "tool"
    tool_call_id: str
    content: str


Message = Annotated[SystemMessage | UserMessage | AssistantMessage | ToolResultMessage, Field(discriminator="role")]


class ToolDefinition(BaseModel):
    """A tool offered to the model: its name, what it is for (the model reads this), and the JSON Schema of its
    arguments object."""

    model_config = _FROZEN
    name: str = Field(pattern=TOOL_NAME)
    description: str
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})


class ChatRequest(BaseModel):
    """One call to a chat model. ``model`` overrides the adapter's (a persona's own model); ``tool_choice`` None
    leaves it to the model."""

    model_config = _FROZEN
    messages: tuple[Message, ...] = Field(min_length=1)
    tools: tuple[ToolDefinition, ...] = ()
    tool_choice: Literal["auto", "none", "required"] | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_output_tokens: int | None = Field(default=None, ge=1)
    model: str | None = None


class FinishReason(StrEnum):
    STOP = "stop"  # a natural end (or a stop sequence)
    LENGTH = "length"  # cut at max_output_tokens or the context's end: the answer is incomplete
    TOOL_CALLS = "tool_calls"  # the model wants tools called
    CONTENT_FILTER = "content_filter"  # the provider withheld (part of) the answer
    OTHER = "other"  # a reason this code does not know (some compatible servers have their own)


class Usage(BaseModel):
    """Tokens a call consumed: what it costs (``masteria.ai.usage``), recorded per company."""

    model_config = _FROZEN
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class ChatResult(BaseModel):
    """The model's answer: text and/or tool calls, why it stopped, what it consumed and which model answered (the
    provider's name for it, e.g. a dated snapshot, which decision records keep)."""

    model_config = _FROZEN
    content: str | None
    tool_calls: tuple[ToolCall, ...] = ()
    finish_reason: FinishReason
    usage: Usage
    model: str

    def as_message(self) -> AssistantMessage:
        """The answer as the next request's history (before the tool results that answer its calls)."""
        return AssistantMessage(content=self.content, tool_calls=self.tool_calls)


@dataclass(frozen=True)
class Embeddings:
    """Vectors in the order of the texts, each ``dimensions`` long. A dataclass, not a pydantic model: thousands of
    vectors of hundreds of floats each would spend longer being validated than being computed."""

    model: str
    dimensions: int
    vectors: list[list[float]]
    usage: Usage = field(default_factory=Usage)
