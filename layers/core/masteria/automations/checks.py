"""What a rule names must exist in the company (another company's id is unknown under RLS, like a missing one):
each unknown tag, pipeline, stage, campaign, number, segment, custom field, user, cadence or template is a 422 on
its field (``trigger.tag_id``, ``conditions.<i>.segment_id``, ``actions.<i>.user_ids.<j>``…), and a text's
variables must be ones a rule fills."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.automations import action_types as a
from masteria.automations import conditions as c
from masteria.automations import triggers as t
from masteria.cadences.models import Cadence
from masteria.cadences.variables import text_problems
from masteria.campaigns.models import Campaign
from masteria.channels.models import ChannelConnection
from masteria.contacts.models import CustomFieldDefinition, Segment, Tag
from masteria.db import Base
from masteria.errors import FieldError, Invalid
from masteria.pipelines.models import Pipeline, Stage
from masteria.templates.models import WhatsAppTemplate
from masteria.tenancy.models import User


class _Checker:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.errors: list[FieldError] = []
        self.custom_keys = set(session.scalars(select(CustomFieldDefinition.key)))

    def fail(self, field: str, message: str, code: str) -> None:
        self.errors.append(FieldError(field, message, code=code))

    def known(self, field: str, model: type[Base], key: uuid.UUID | None, what: str) -> Any:
        """The row ``key`` names, or None (a 422 on ``field`` when it names none)."""
        if key is None:
            return None
        row = self.session.get(model, key)
        if row is None:
            self.fail(field, f"no such {what}", f"unknown_{what}")
        return row

    def stage(self, field: str, stage_id: uuid.UUID | None, pipeline_id: uuid.UUID | None) -> None:
        stage = self.known(field, Stage, stage_id, "stage")
        if stage is not None and (stage.archived_at is not None or (pipeline_id and stage.pipeline_id != pipeline_id)):
            self.fail(field, "not an active stage of that pipeline", "stage_not_in_pipeline")

    def user(self, field: str, user_id: uuid.UUID | None) -> None:
        user = self.known(field, User, user_id, "user")
        if user is not None and not user.is_active:
            self.fail(field, "the user is not active", "unknown_user")

    def text(self, field: str, value: str) -> None:
        for reason in text_problems(value, custom_keys=self.custom_keys):
            self.fail(field, reason, "unknown_variable")

    def trigger(self, trigger: t.AnyTrigger) -> None:
        if isinstance(trigger, t.TagAdded | t.TagRemoved):
            self.known("trigger.tag_id", Tag, trigger.tag_id, "tag")
        elif isinstance(trigger, t.LeadCreated | t.AppointmentScheduled | t.LeadStageChanged):
            self.known("trigger.pipeline_id", Pipeline, trigger.pipeline_id, "pipeline")
            if isinstance(trigger, t.LeadStageChanged):
                self.stage("trigger.to_stage_id", trigger.to_stage_id, trigger.pipeline_id)
                self.stage("trigger.from_stage_id", trigger.from_stage_id, trigger.pipeline_id)
        elif isinstance(trigger, t.CampaignReplied):
            self.known("trigger.campaign_id", Campaign, trigger.campaign_id, "campaign")

    def condition(self, at: str, condition: c.AnyCondition) -> None:
        if isinstance(condition, c.ConnectionIs):
            for j, connection_id in enumerate(condition.connection_ids):
                self.known(f"{at}connection_ids.{j}", ChannelConnection, connection_id, "connection")
        elif isinstance(condition, c.HasTag):
            self.known(f"{at}tag_id", Tag, condition.tag_id, "tag")
        elif isinstance(condition, c.InSegment):
            self.known(f"{at}segment_id", Segment, condition.segment_id, "segment")
        elif isinstance(condition, c.CustomFieldIs) and condition.key not in self.custom_keys:
            self.fail(f"{at}key", f"the company has no custom field {condition.key!r}", "unknown_custom_field")

    def action(self, at: str, action: a.AnyAction) -> None:
        if isinstance(action, a.AssignUser):
            self.user(f"{at}user_id", action.user_id)
        elif isinstance(action, a.AssignRoundRobin):
            for j, user_id in enumerate(action.user_ids):
                self.user(f"{at}user_ids.{j}", user_id)
        elif isinstance(action, a.AddTag | a.RemoveTag):
            self.known(f"{at}tag_id", Tag, action.tag_id, "tag")
        elif isinstance(action, a.MoveLead):
            self.stage(f"{at}stage_id", action.stage_id, None)
        elif isinstance(action, a.CreateLead):
            self.known(f"{at}pipeline_id", Pipeline, action.pipeline_id, "pipeline")
            self.stage(f"{at}stage_id", action.stage_id, action.pipeline_id)
            self.user(f"{at}owner_id", action.owner_id)
        elif isinstance(action, a.EnrollInCadence | a.RemoveFromCadence):
            self.known(f"{at}cadence_id", Cadence, action.cadence_id, "cadence")
        elif isinstance(action, a.SendTemplate):
            self.known(f"{at}template_id", WhatsAppTemplate, action.template_id, "template")
        elif isinstance(action, a.SendText):
            self.text(f"{at}text", action.text)
        elif isinstance(action, a.Notify):
            self.text(f"{at}text", action.text)
            if action.to == "user" and action.user_id is None:
                self.fail(f"{at}user_id", "required with to=user", "user_required")
            self.user(f"{at}user_id", action.user_id)


def check(
    session: Session, *, trigger: t.AnyTrigger, conditions: list[c.AnyCondition], actions: list[a.AnyAction]
) -> None:
    """422 listing every field that names what the company does not have."""
    checker = _Checker(session)
    checker.trigger(trigger)
    for index, condition in enumerate(conditions):
        checker.condition(f"conditions.{index}.", condition)
    for index, action in enumerate(actions):
        checker.action(f"actions.{index}.", action)
    if checker.errors:
        raise Invalid("the rule names what the company does not have", checker.errors, code="invalid_rule")
