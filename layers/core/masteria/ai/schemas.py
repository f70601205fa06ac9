"""What the AI's API reads and writes: personas and their versions, the company's AI settings, usage, the persona
test. Bodies reject unknown fields; the checks that need the database (the company's knowledge bases, numbers and
templates, the shape of ``active_hours``) are the service's, as 422s on the field."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from masteria.ai.models import TOOLS
from masteria.schemas import ReadModel, StrictModel

Language = Literal["pt-BR", "en"]
Tool = Literal["handoff", "propose_stage", "update_lead"]
Topic = Annotated[str, Field(min_length=1, max_length=120)]
ModelName = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$")]
Temperature = Annotated[Decimal, Field(ge=0, le=2, max_digits=3, decimal_places=2)]
MAX_INSTRUCTIONS = 20_000
MAX_KNOWLEDGE_BASES = 20
MAX_CONNECTIONS = 50
MAX_TOPICS = 50
PERSONA_FIELDS = (
    "name", "role", "tone", "language", "instructions", "knowledge_base_ids", "tools", "connection_ids",
    "active_hours", "blocked_topics", "max_reply_chars", "debounce_seconds", "chat_model", "temperature",
    "outside_window_template_id",
)  # fmt: skip
ACTIVE_HOURS_DOC = (
    'null (always), or {"timezone": IANA name, "days": {"mon": [["09:00", "18:00"]], ...}}: per weekday (mon … '
    "sun) up to 6 [start, end) ranges in HH:MM (24:00 may end a day), start before end, not overlapping; an absent "
    "day is a day off"
)


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


class _PersonaFields(StrictModel):
    role: str = Field(default="", max_length=200, examples=["atendente de vendas"])
    tone: str = Field(default="", max_length=200, examples=["cordial e objetivo"])
    language: Language = "pt-BR"
    instructions: str = Field(default="", max_length=MAX_INSTRUCTIONS)
    knowledge_base_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_KNOWLEDGE_BASES)
    tools: list[Tool] = Field(default_factory=list, description="what the persona may call, of " + ", ".join(TOOLS))
    connection_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=MAX_CONNECTIONS, description="the numbers it answers on (one persona each)"
    )
    active_hours: dict[str, Any] | None = Field(default=None, description=ACTIVE_HOURS_DOC)
    blocked_topics: list[Topic] = Field(default_factory=list, max_length=MAX_TOPICS)
    max_reply_chars: int = Field(default=600, ge=50, le=4000)
    debounce_seconds: int = Field(default=8, ge=0, le=120, description="wait this long for more messages")
    chat_model: ModelName | None = Field(default=None, description="over the company's model (null: the company's)")
    temperature: Temperature | None = None
    outside_window_template_id: uuid.UUID | None = Field(
        default=None, description="an approved WhatsApp template to send when the 24-hour window is closed"
    )

    @field_validator("knowledge_base_ids", "connection_ids", "blocked_topics", mode="after")
    @classmethod
    def _dedupe(cls, value: list[Any]) -> list[Any]:
        return _unique(value)

    @field_validator("tools", mode="after")
    @classmethod
    def _tools(cls, value: list[str]) -> list[str]:
        return [tool for tool in TOOLS if tool in value]


class PersonaCreate(_PersonaFields):
    name: str = Field(min_length=1, max_length=120)
    is_active: bool = False


class PersonaUpdate(StrictModel):
    """A new version: the fields given replace the current version's, the others are copied. ``version`` is the
    version the client saw: another one is a 409 (someone saved in between)."""

    version: int = Field(ge=1, description="the persona's current_version as the client read it")
    name: str | None = Field(default=None, min_length=1, max_length=120)
    role: str | None = Field(default=None, max_length=200)
    tone: str | None = Field(default=None, max_length=200)
    language: Language | None = None
    instructions: str | None = Field(default=None, max_length=MAX_INSTRUCTIONS)
    knowledge_base_ids: list[uuid.UUID] | None = Field(default=None, max_length=MAX_KNOWLEDGE_BASES)
    tools: list[Tool] | None = None
    connection_ids: list[uuid.UUID] | None = Field(default=None, max_length=MAX_CONNECTIONS)
    active_hours: dict[str, Any] | None = Field(default=None, description=ACTIVE_HOURS_DOC)
    blocked_topics: list[Topic] | None = Field(default=None, max_length=MAX_TOPICS)
    max_reply_chars: int | None = Field(default=None, ge=50, le=4000)
    debounce_seconds: int | None = Field(default=None, ge=0, le=120)
    chat_model: ModelName | None = None
    temperature: Temperature | None = None
    outside_window_template_id: uuid.UUID | None = None

    @field_validator("knowledge_base_ids", "connection_ids", "blocked_topics", mode="after")
    @classmethod
    def _dedupe(cls, value: list[Any] | None) -> list[Any] | None:
        return None if value is None else _unique(value)

    @field_validator("tools", mode="after")
    @classmethod
    def _tools(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [tool for tool in TOOLS if tool in value]

    def changes(self) -> dict[str, Any]:
        """The fields given, by name (``version`` aside)."""
        return {name: getattr(self, name) for name in self.model_fields_set if name != "version"}


NOT_NULLABLE = frozenset(PERSONA_FIELDS) - {"active_hours", "chat_model", "temperature", "outside_window_template_id"}


class _VersionFields(ReadModel):
    """What a persona version says (a version read has it, and so has a persona read, for its current version)."""

    role: str
    tone: str
    language: str
    instructions: str
    knowledge_base_ids: list[uuid.UUID]
    tools: list[str]
    connection_ids: list[uuid.UUID]
    active_hours: dict[str, Any] | None
    blocked_topics: list[str]
    max_reply_chars: int
    debounce_seconds: int
    chat_model: str | None
    temperature: Decimal | None
    outside_window_template_id: uuid.UUID | None


class PersonaVersionRead(_VersionFields):
    persona_id: uuid.UUID
    version: int
    name: str
    created_by: uuid.UUID | None
    created_at: datetime


class PersonaRead(_VersionFields):
    """A persona with its current version's fields."""

    id: uuid.UUID
    name: str
    is_active: bool
    archived_at: datetime | None
    current_version: int
    created_at: datetime
    updated_at: datetime
    version_created_at: datetime = Field(description="when the current version was saved")
    version_created_by: uuid.UUID | None


class PersonaTest(StrictModel):
    question: str = Field(min_length=1, max_length=2000)
    version: int | None = Field(default=None, ge=1, description="a version to test (default: the current one)")


class Source(ReadModel):
    chunk_id: uuid.UUID | int | str
    document_id: uuid.UUID | str | None = None
    document_title: str | None = None
    heading: str | None = None
    text: str
    score: float | None = None


class ToolCallRead(ReadModel):
    name: str
    arguments: dict[str, Any]


class UsageRead(ReadModel):
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal
    priced: bool


class PersonaTestResult(ReadModel):
    answer: str | None = Field(description="the model's text (null when it only called tools)")
    sources: list[Source]
    tool_calls: list[ToolCallRead]
    model: str
    persona_version: int
    usage: UsageRead


# AI settings


class AiSettingsUpdate(StrictModel):
    """The company's model endpoint. A field left out keeps its value; null clears it (back to the platform's
    default). ``api_key`` is write-only."""

    base_url: str | None = Field(
        default=None, max_length=500, description="an OpenAI-compatible API (https; http on the local runtime only)"
    )
    chat_model: ModelName | None = None
    api_key: str | None = Field(default=None, min_length=1, max_length=500, description="write-only; null clears it")
    monthly_budget_usd: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class AiSettingsRead(ReadModel):
    base_url: str | None
    chat_model: str | None
    api_key_hint: str | None = Field(description="the key's last 4 characters, to recognise it (never the key)")
    has_api_key: bool
    monthly_budget_usd: Decimal | None
    budget_spent_month: date | None = Field(description="the month (its 1st) whose budget was found spent")
    effective_base_url: str = Field(description="where calls go (the platform's when base_url is null)")
    effective_chat_model: str = Field(description="the model used when a persona names none")
    uses_platform_endpoint: bool
    updated_at: datetime | None


class CheckResult(ReadModel):
    ok: bool
    category: str | None = Field(description="when not ok: auth, timeout, unavailable, rate_limited, …")
    code: str = Field(description="ok, or the problem code (ai_model_auth, ai_model_timeout, …)")
    message: str
    model: str
    host: str
    status: int | None = Field(description="the endpoint's HTTP status, when it answered one")
    latency_ms: int


# usage

GroupBy = Literal["persona", "conversation", "day"]


class UsageGroup(ReadModel):
    key: str | None = Field(description="the persona id, conversation id or day (YYYY-MM-DD); null: none")
    label: str | None = Field(description="the persona's name, when grouped by persona")
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal


class UsageReport(ReadModel):
    start: datetime
    end: datetime
    group_by: GroupBy
    timezone: str
    groups: list[UsageGroup]
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal
    unpriced_calls: int = Field(description="calls of models without a list price here (counted at 0)")
    month_spend_usd: Decimal = Field(description="this calendar month's spend, in the company's timezone")
    monthly_budget_usd: Decimal | None
    budget_remaining_usd: Decimal | None
    budget_spent: bool
