"""Leads: create (by hand, through the API, from a conversation), read, change, move, close, their history,
timeline and notes; the AI's stage suggestions on a lead (accept, reject)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from functions.api.deps import CallerDep, ContainerDep
from functions.api.error_docs import problems
from masteria.ai import suggestions
from masteria.ai.progression_schemas import SuggestionAccept, SuggestionDecided, SuggestionRead, SuggestionReject
from masteria.pipelines import history, leads, moves
from masteria.pipelines.schemas import (
    LeadClose,
    LeadCreate,
    LeadFromConversation,
    LeadMove,
    LeadNoteRead,
    LeadRead,
    LeadUpdate,
    NoteCreate,
    StageChangeRead,
    Timeline,
)

router = APIRouter(prefix="/v1", tags=["leads"])


@router.post("/leads", responses=problems(403, 404, 409), status_code=status.HTTP_201_CREATED, response_model=LeadRead)
def create_lead(body: LeadCreate, caller: CallerDep) -> LeadRead:
    """Create a lead at the top of its stage (default: the pipeline's first open stage). 409 when the contact
    already has an open lead on the pipeline (the body's `lead` is that one); 403 when an agent gives it to
    someone else."""
    return leads.create_lead(session=caller.session, actor=caller.principal, data=body)


@router.post(
    "/conversations/{conversation_id}/lead",
    responses=problems(403, 409),
    status_code=status.HTTP_201_CREATED,
    response_model=LeadRead,
)
def create_lead_from_conversation(
    conversation_id: uuid.UUID, body: LeadFromConversation, caller: CallerDep
) -> LeadRead:
    """ "Create lead" from a conversation: for its contact, linked to it, on the first pipeline unless another
    is named (409 when the contact already has an open lead there)."""
    return leads.create_from_conversation(
        session=caller.session, actor=caller.principal, conversation_id=conversation_id, data=body
    )


@router.get("/leads/{lead_id}", response_model=LeadRead)
def get_lead(lead_id: uuid.UUID, caller: CallerDep) -> LeadRead:
    return leads.get_lead(session=caller.session, actor=caller.principal, lead_id=lead_id)


@router.patch("/leads/{lead_id}", responses=problems(403, 409), response_model=LeadRead)
def update_lead(lead_id: uuid.UUID, body: LeadUpdate, caller: CallerDep) -> LeadRead:
    """Change some fields; custom_fields merge (null removes one), tag_ids replace the tags. With `version`:
    409 with the current lead (`lead`) when it changed since."""
    return leads.update_lead(session=caller.session, actor=caller.principal, lead_id=lead_id, data=body)


@router.delete("/leads/{lead_id}", responses=problems(403), status_code=status.HTTP_204_NO_CONTENT)
def delete_lead(lead_id: uuid.UUID, caller: CallerDep) -> None:
    """Delete a lead and its history (admin and up)."""
    leads.delete_lead(session=caller.session, actor=caller.principal, lead_id=lead_id)


@router.post("/leads/{lead_id}/move", responses=problems(403, 409), response_model=LeadRead)
def move_lead(lead_id: uuid.UUID, body: LeadMove, caller: CallerDep, container: ContainerDep) -> LeadRead:
    """Move a card to a stage (its own: a reorder) right after `after_id` or before `before_id` (neither: the
    top). 409 with the current lead in `lead` when its version is not the one you saw (`lead_changed`), the
    neighbour left that stage (`neighbour_moved`), the stage is at its WIP limit (`stage_full`), or reopening it
    clashes with the contact's other open lead (`open_lead_exists`). Into a won or lost stage it needs a reason.
    Into a meeting stage it needs an appointment: `appointment` (created with the move) or one scheduled ahead,
    else 422 (`appointment_required`); every user is then notified and `meeting.scheduled` recorded, once."""
    return moves.move_lead(
        session=caller.session, clock=container.clock, actor=caller.principal, lead_id=lead_id, data=body
    ).lead


@router.post("/leads/{lead_id}/close", responses=problems(409), response_model=LeadRead)
def close_lead(lead_id: uuid.UUID, body: LeadClose, caller: CallerDep, container: ContainerDep) -> LeadRead:
    """Close a lead as won or lost, with its reason: it moves to the top of that outcome's stage (409 as for a
    move, or when the pipeline has no such stage)."""
    return moves.close_lead(
        session=caller.session, clock=container.clock, actor=caller.principal, lead_id=lead_id, data=body
    ).lead


@router.get("/leads/{lead_id}/history", response_model=list[StageChangeRead])
def get_history(lead_id: uuid.UUID, caller: CallerDep) -> list[StageChangeRead]:
    """The lead's stage changes, oldest first (its creation first), each with the time spent in that stage."""
    return history.get_history(session=caller.session, actor=caller.principal, lead_id=lead_id)


@router.get("/leads/{lead_id}/timeline", response_model=Timeline)
def get_timeline(lead_id: uuid.UUID, caller: CallerDep) -> Timeline:
    """The lead's stage changes, notes, appointments (at their start) and the AI's decisions about it (proposals,
    moves, updates; replies and handoffs in its conversation) with the persona version, model, confidence and the
    customer's words quoted, newest first, and its conversation's id."""
    return history.get_timeline(session=caller.session, actor=caller.principal, lead_id=lead_id)


@router.post("/leads/{lead_id}/notes", status_code=status.HTTP_201_CREATED, response_model=LeadNoteRead)
def add_note(lead_id: uuid.UUID, body: NoteCreate, caller: CallerDep) -> LeadNoteRead:
    return leads.add_note(session=caller.session, actor=caller.principal, lead_id=lead_id, data=body)


@router.get("/leads/{lead_id}/suggestions", response_model=list[SuggestionRead])
def list_suggestions(lead_id: uuid.UUID, caller: CallerDep) -> list[SuggestionRead]:
    """Every stage proposal the AI made for the lead (pending, applied, accepted, rejected, superseded, invalid),
    newest first."""
    return suggestions.list_lead_suggestions(session=caller.session, actor=caller.principal, lead_id=lead_id)


@router.post(
    "/leads/{lead_id}/suggestions/{suggestion_id}/accept",
    responses=problems(409),
    response_model=SuggestionDecided,
)
def accept_suggestion(
    lead_id: uuid.UUID, suggestion_id: uuid.UUID, body: SuggestionAccept, caller: CallerDep, container: ContainerDep
) -> SuggestionDecided:
    """Accept the AI's pending suggestion: the lead moves to its stage as you (the move's reason names the AI's
    suggestion, its confidence and the customer's words). Into a meeting stage: `appointment`, else one at the
    time the customer agreed, else the lead's scheduled one ahead (422 `appointment_required` without any). 409
    `suggestion_not_pending` when it was already decided or superseded, `suggestion_stale` when the lead moved or
    the stage was archived since; a move's 409s (`stage_full`…) as for a move."""
    return suggestions.accept_suggestion(
        session=caller.session, clock=container.clock, actor=caller.principal, lead_id=lead_id,
        suggestion_id=suggestion_id, data=body,
    )  # fmt: skip


@router.post(
    "/leads/{lead_id}/suggestions/{suggestion_id}/reject",
    responses=problems(409),
    response_model=SuggestionDecided,
)
def reject_suggestion(
    lead_id: uuid.UUID, suggestion_id: uuid.UUID, body: SuggestionReject, caller: CallerDep, container: ContainerDep
) -> SuggestionDecided:
    """Reject the AI's pending suggestion, with an optional reason: the lead stays where it is (409
    `suggestion_not_pending` when it was already decided or superseded)."""
    return suggestions.reject_suggestion(
        session=caller.session, clock=container.clock, actor=caller.principal, lead_id=lead_id,
        suggestion_id=suggestion_id, data=body,
    )  # fmt: skip
