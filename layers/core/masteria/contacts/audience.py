"""THE audience builder: who a campaign may message on a channel."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, exists, or_, select

from masteria.contacts import consent, segments
from masteria.contacts.models import Contact, ContactTag
from masteria.contacts.schemas import Channel
from masteria.contacts.segments import SegmentFilter


def sendable_audience(
    *,
    channel: Channel,
    tag_ids: Sequence[uuid.UUID] = (),
    list_ids: Sequence[uuid.UUID] = (),
    segment_filters: Sequence[SegmentFilter] = (),
    contact_ids: Sequence[uuid.UUID] = (),
) -> Select[uuid.UUID]:
    """Ids of the contacts a campaign may message on ``channel`` — one row per contact (so per phone), valid
    numbers only, never anyone the consent rules keep from that channel (``consent.opted_out``). Nothing else
    may build an audience. The selectors (tags, lists, segments, ids) add up (any of them); with none it
    selects every sendable contact of the company."""
    statement = select(Contact.id).where(Contact.is_valid, ~consent.opted_out(channel, Contact.id))
    selectors: list[ColumnElement[bool]] = []
    if tag_ids:
        selectors.append(exists().where(ContactTag.contact_id == Contact.id, ContactTag.tag_id.in_(tag_ids)))
    if list_ids:
        selectors.append(segments.condition(SegmentFilter(lists_any=list(list_ids))))
    selectors.extend(segments.condition(f) for f in segment_filters)
    if contact_ids:
        selectors.append(Contact.id.in_(contact_ids))
    if selectors:
        statement = statement.where(or_(*selectors))
    return statement.order_by(Contact.id)
