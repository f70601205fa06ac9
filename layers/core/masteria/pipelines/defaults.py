"""The sales pipeline every company starts with, named in the company's language.

A company has no language setting of its own: its default region (where its phone numbers are read) says it,
Portuguese in the Portuguese-speaking regions and English elsewhere."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from masteria.pipelines.models import Pipeline, Stage

PORTUGUESE_REGIONS = frozenset({"BR", "PT", "AO", "MZ", "CV", "GW", "ST", "TL"})


@dataclass(frozen=True)
class DefaultStage:
    en: str
    pt_br: str
    color: str
    semantic_type: str | None


PIPELINE_NAME = {"en": "Sales", "pt-BR": "Vendas"}
STAGES = (
    DefaultStage("New", "Novo", "#64748b", "open"),
    DefaultStage("Qualified", "Qualificado", "#0ea5e9", "open"),
    DefaultStage("Meeting scheduled", "Reunião agendada", "#8b5cf6", "meeting_scheduled"),
    DefaultStage("Proposal sent", "Proposta enviada", "#f59e0b", "open"),
    DefaultStage("Negotiation", "Negociação", "#f97316", "open"),
    DefaultStage("Won", "Ganho", "#22c55e", "won"),
    DefaultStage("Lost", "Perdido", "#ef4444", "lost"),
)


def language(region: str) -> str:
    """``pt-BR`` or ``en``: the language of a company whose default region is ``region``."""
    return "pt-BR" if region.upper() in PORTUGUESE_REGIONS else "en"


def stage_names(region: str) -> list[str]:
    lang = language(region)
    return [s.pt_br if lang == "pt-BR" else s.en for s in STAGES]


def create_default_pipeline(session: Session, *, company_id: uuid.UUID, region: str) -> Pipeline:
    """The default sales pipeline of a new company, with its stages."""
    pipeline = Pipeline(company_id=company_id, name=PIPELINE_NAME[language(region)])
    session.add(pipeline)
    session.flush()
    for position, (stage, name) in enumerate(zip(STAGES, stage_names(region), strict=True)):
        session.add(
            Stage(
                company_id=company_id,
                pipeline_id=pipeline.id,
                name=name,
                color=stage.color,
                semantic_type=stage.semantic_type,
                position=position,
            )
        )
    session.flush()
    return pipeline
