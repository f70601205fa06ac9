"""WhatsApp templates: mirrored from Meta, created and deleted through the Graph API, their parameters
mapped to contact fields and filled in for a contact.

A template's text carries parameters, ``{{1}}`` (positional) or ``{{first_name}}`` (named), in its
header, body and URL buttons. Each parameter has a key: ``header.1``, ``body.2``, ``button.0.1`` (the
URL button at index 0), ``body.first_name``; a media header has ``header.media``. A company maps each
key to a contact variable (``first_name``, ``custom.city``…, as local templates use) and/or a default.

Length limits are Meta's, from "Template components"
(https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/components):
text header 60 characters with at most one parameter, body 1,024, footer 60, at most 10 buttons of
which at most 2 URL buttons and 1 phone number button, button text 25, button URL 2,000; names are
lowercase letters, digits and underscores, at most 512 characters.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from masteria.audit import service as audit
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.meta_cloud.graph import GraphClient
from masteria.contacts.models import CustomFieldDefinition
from masteria.contacts.service import get_contact
from masteria.db import get_or_404
from masteria.errors import Conflict, FieldError, Invalid
from masteria.pagination import Page, PageRequest, paginate
from masteria.templates.models import WhatsAppTemplate
from masteria.templates.rendering import CONTACT_FIELDS, contact_values
from masteria.templates.schemas import (
    WhatsAppParameters,
    WhatsAppPreview,
    WhatsAppSync,
    WhatsAppTemplateCreate,
    WhatsAppTemplateRead,
)
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal

HEADER_TEXT_MAX = 60
BODY_TEXT_MAX = 1024
FOOTER_TEXT_MAX = 60
BUTTONS_MAX = 10
URL_BUTTONS_MAX = 2
PHONE_BUTTONS_MAX = 1
BUTTON_TEXT_MAX = 25
BUTTON_URL_MAX = 2000
BUTTON_PHONE_MAX = 20
NAME_PATTERN = re.compile(r"^[a-z0-9_]{1,512}$")
MEDIA_FORMATS = ("IMAGE", "VIDEO", "DOCUMENT")
MEDIA_KEY = "header.media"
_PARAMETER = re.compile(r"{{\s*([A-Za-z0-9_]+)\s*}}")
FIELDS = "id,name,language,category,status,quality_score,rejected_reason,parameter_format,components"


@dataclass(frozen=True)
class WabaAccess:
    """A channel connection's WhatsApp Business Account and the token to manage it."""

    connection_id: uuid.UUID
    waba_id: str
    token: str


def _type(component: Mapping[str, Any]) -> str:
    return str(component.get("type", "")).upper()


def _placeholders(text: str) -> list[str]:
    return list(dict.fromkeys(_PARAMETER.findall(text)))


def parameter_keys(components: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every parameter key of a template, in the order the message shows them."""
    keys: list[str] = []
    for component in components:
        kind = _type(component)
        if kind == "HEADER":
            if str(component.get("format", "TEXT")).upper() in MEDIA_FORMATS:
                keys.append(MEDIA_KEY)
            keys += [f"header.{p}" for p in _placeholders(str(component.get("text", "")))]
        elif kind == "BODY":
            keys += [f"body.{p}" for p in _placeholders(str(component.get("text", "")))]
        elif kind == "BUTTONS":
            for index, button in enumerate(component.get("buttons", [])):
                if str(button.get("type", "")).upper() == "URL":
                    keys += [f"button.{index}.{p}" for p in _placeholders(str(button.get("url", "")))]
    return keys


# ---- Meta's limits, checked before a template is submitted ----------------------------------------


def _check_text(
    errors: list[FieldError], where: str, text: str, limit: int, *, max_parameters: int | None = None
) -> None:
    if len(text) > limit:
        errors.append(
            FieldError(
                where, f"at most {limit} characters (has {len(text)})", code="text_too_long", params={"max": limit}
            )
        )
    found = _placeholders(text)
    if max_parameters is not None and len(found) > max_parameters:
        errors.append(
            FieldError(
                where, f"at most {max_parameters} parameter", code="too_many_parameters", params={"max": max_parameters}
            )
        )
    positional = [p for p in found if p.isdigit()]
    if positional and positional != [str(n) for n in range(1, len(positional) + 1)]:
        errors.append(
            FieldError(where, "positional parameters must be {{1}}, {{2}}, … in order", code="parameters_in_order")
        )


def check_template(data: WhatsAppTemplateCreate) -> None:
    """Meta's rules on names, component counts and lengths; 422 listing every problem."""
    errors: list[FieldError] = []
    if not NAME_PATTERN.match(data.name):
        errors.append(
            FieldError(
                "name", "lowercase letters, digits and underscores, at most 512 characters", code="template_name"
            )
        )
    counts: dict[str, int] = {}
    for position, component in enumerate(data.components):
        where = f"components.{position}"
        kind = _type(component)
        counts[kind] = counts.get(kind, 0) + 1
        text = component.get("text")
        if kind == "HEADER" and str(component.get("format", "")).upper() == "TEXT":
            _check_text(errors, f"{where}.text", str(text or ""), HEADER_TEXT_MAX, max_parameters=1)
        elif kind == "BODY" and text is not None:
            _check_text(errors, f"{where}.text", str(text), BODY_TEXT_MAX)
        elif kind == "FOOTER" and text is not None:
            _check_text(errors, f"{where}.text", str(text), FOOTER_TEXT_MAX, max_parameters=0)
        elif kind == "BUTTONS":
            _check_buttons(errors, where, component.get("buttons") or [])
        elif kind not in ("HEADER", "BODY", "FOOTER", "CAROUSEL", "LIMITED_TIME_OFFER"):
            errors.append(
                FieldError(f"{where}.type", f"unknown component type {kind or '(none)'}", code="unknown_component")
            )
    if counts.get("BODY") != 1:
        errors.append(FieldError("components", "a template has exactly one BODY", code="one_body"))
    errors += [
        FieldError("components", f"at most one {kind}", code="at_most_one", params={"kind": kind})
        for kind in ("HEADER", "FOOTER", "BUTTONS")
        if counts.get(kind, 0) > 1
    ]
    if errors:
        raise Invalid("the template breaks Meta's rules", errors)


def _check_buttons(errors: list[FieldError], where: str, buttons: list[Mapping[str, Any]]) -> None:
    if len(buttons) > BUTTONS_MAX:
        errors.append(
            FieldError(
                f"{where}.buttons",
                f"at most {BUTTONS_MAX} buttons",
                code="too_many_buttons",
                params={"max": BUTTONS_MAX},
            )
        )
    kinds = [str(b.get("type", "")).upper() for b in buttons]
    if kinds.count("URL") > URL_BUTTONS_MAX:
        errors.append(
            FieldError(
                f"{where}.buttons",
                f"at most {URL_BUTTONS_MAX} URL buttons",
                code="too_many_url_buttons",
                params={"max": URL_BUTTONS_MAX},
            )
        )
    if kinds.count("PHONE_NUMBER") > PHONE_BUTTONS_MAX:
        errors.append(
            FieldError(
                f"{where}.buttons",
                f"at most {PHONE_BUTTONS_MAX} phone number button",
                code="too_many_phone_buttons",
                params={"max": PHONE_BUTTONS_MAX},
            )
        )
    for index, button in enumerate(buttons):
        at = f"{where}.buttons.{index}"
        if len(str(button.get("text", ""))) > BUTTON_TEXT_MAX:
            errors.append(
                FieldError(
                    f"{at}.text",
                    f"at most {BUTTON_TEXT_MAX} characters",
                    code="text_too_long",
                    params={"max": BUTTON_TEXT_MAX},
                )
            )
        if "url" in button:
            _check_text(errors, f"{at}.url", str(button["url"]), BUTTON_URL_MAX, max_parameters=1)
        if len(str(button.get("phone_number", ""))) > BUTTON_PHONE_MAX:
            errors.append(
                FieldError(
                    f"{at}.phone_number",
                    f"at most {BUTTON_PHONE_MAX} characters",
                    code="text_too_long",
                    params={"max": BUTTON_PHONE_MAX},
                )
            )


# ---- the mirror -----------------------------------------------------------------------------------


def _read(row: WhatsAppTemplate) -> WhatsAppTemplateRead:
    return WhatsAppTemplateRead.model_validate(row).model_copy(
        update={"parameter_keys": parameter_keys(row.components)}
    )


def _apply(row: WhatsAppTemplate, item: Mapping[str, Any], now: datetime) -> bool:
    """Copy Meta's view of a template onto ``row``; True when something changed."""
    quality = (item.get("quality_score") or {}).get("score")
    values = {
        "name": str(item["name"]),
        "language": str(item.get("language", "")),
        "category": str(item.get("category", "")),
        "status": str(item.get("status", "")),
        "quality": str(quality) if quality else None,
        "rejected_reason": (str(item["rejected_reason"])[:200] if item.get("rejected_reason") else None),
        "parameter_format": str(item.get("parameter_format") or "POSITIONAL"),
        "components": list(item.get("components") or []),
    }
    changed = any(getattr(row, k) != v for k, v in values.items())
    if row.status is not None and row.status != values["status"]:  # the webhook's explanation was of another status
        row.status_reason = None
    for key, value in values.items():
        setattr(row, key, value)
    row.synced_at = now
    return changed


def sync_templates(
    *, session: Session, actor: Principal, graph: GraphClient, access: WabaAccess, now: datetime
) -> WhatsAppSync:
    """Mirror every template of the account (all pages): new ones added, changed ones updated, the ones
    Meta no longer has removed. Parameter mappings of templates that remain are kept. Admins and up."""
    actor.require(Role.ADMIN)
    remote = {str(item["id"]): item for item in graph.list_templates(access.waba_id, token=access.token, fields=FIELDS)}
    local = {
        row.meta_id: row
        for row in session.scalars(
            select(WhatsAppTemplate).where(WhatsAppTemplate.connection_id == access.connection_id)
        )
    }
    added = updated = 0
    for meta_id, item in remote.items():
        row = local.get(meta_id)
        if row is None:
            row = WhatsAppTemplate(company_id=actor.company_id, connection_id=access.connection_id, meta_id=meta_id)
            _apply(row, item, now)
            session.add(row)
            added += 1
        elif _apply(row, item, now):
            updated += 1
    gone = [row for meta_id, row in local.items() if meta_id not in remote]
    for row in gone:
        session.delete(row)
    session.flush()
    return WhatsAppSync(added=added, updated=updated, removed=len(gone), total=len(remote))


def create_template(
    *,
    session: Session,
    actor: Principal,
    graph: GraphClient,
    access: WabaAccess,
    data: WhatsAppTemplateCreate,
    now: datetime,
) -> WhatsAppTemplateRead:
    """Submit a template to Meta for review and mirror it (status PENDING until Meta decides). Admins and up."""
    actor.require(Role.ADMIN)
    check_template(data)
    body = data.model_dump(exclude_none=True, exclude={"parameters", "defaults"})
    created = graph.create_template(access.waba_id, body, token=access.token)
    row = WhatsAppTemplate(company_id=actor.company_id, connection_id=access.connection_id, meta_id=str(created["id"]))
    _apply(
        row,
        {**body, "status": created.get("status", "PENDING"), "category": created.get("category", data.category)},
        now,
    )
    _set_parameters(session, row, WhatsAppParameters(parameters=data.parameters, defaults=data.defaults))
    session.add(row)
    session.flush()
    session.refresh(row)
    audit.record(
        session, actor=actor, action="whatsapp_templates.create", count=1, target_type="whatsapp_template",
        target_id=row.id, details={"name": row.name, "language": row.language},
    )  # fmt: skip
    return _read(row)


def delete_template(
    *, session: Session, actor: Principal, graph: GraphClient, access: WabaAccess, template_id: uuid.UUID
) -> None:
    """Delete one language of a template at Meta (``hsm_id``), then its mirror. Admins and up."""
    actor.require(Role.ADMIN)
    row = get_or_404(session, WhatsAppTemplate, template_id, "template")
    if row.connection_id != access.connection_id:
        raise Conflict("the template belongs to another connection", code="template_other_connection")
    graph.delete_template(access.waba_id, name=row.name, template_id=row.meta_id, token=access.token)
    session.delete(row)


@dataclass(frozen=True)
class TemplateFilter:
    q: str | None = None
    statuses: tuple[str, ...] = ()
    category: str | None = None
    language: str | None = None


def list_templates(
    *, session: Session, actor: Principal, connection_id: uuid.UUID, page: PageRequest, filters: TemplateFilter
) -> Page[WhatsAppTemplateRead]:
    """One connection's templates by name, language, then id; ``q`` is a part of the name, statuses, category
    and language are Meta's words (any case)."""
    get_or_404(session, ChannelConnection, connection_id, "connection")
    statement = select(WhatsAppTemplate).where(WhatsAppTemplate.connection_id == connection_id)
    if filters.q:
        statement = statement.where(WhatsAppTemplate.name.icontains(filters.q, autoescape=True))
    if filters.statuses:
        statement = statement.where(func.upper(WhatsAppTemplate.status).in_([s.upper() for s in filters.statuses]))
    if filters.category:
        statement = statement.where(func.upper(WhatsAppTemplate.category) == filters.category.upper())
    if filters.language:
        statement = statement.where(func.lower(WhatsAppTemplate.language) == filters.language.lower())
    keys = [WhatsAppTemplate.name, WhatsAppTemplate.language, WhatsAppTemplate.id]
    rows, cursor = paginate(session, statement, keys=keys, page=page, descending=False)
    return Page[WhatsAppTemplateRead](items=[_read(row) for row in rows], next_cursor=cursor)


def get_template(*, session: Session, actor: Principal, template_id: uuid.UUID) -> WhatsAppTemplateRead:
    return _read(get_or_404(session, WhatsAppTemplate, template_id, "template"))


# ---- parameters: mapping and filling in ------------------------------------------------------------


def check_parameters(
    session: Session, row: WhatsAppTemplate, parameters: Mapping[str, str], defaults: Mapping[str, str]
) -> None:
    """422 unless every key is a parameter of the template, every variable a contact variable, and a media
    header's default an https link (the template's own mapping, or a campaign's over it)."""
    keys = set(parameter_keys(row.components))
    custom = set(session.scalars(select(CustomFieldDefinition.key)))
    errors = [
        FieldError(
            f"{group}.{key}", f"the template has no parameter {key}", code="unknown_parameter", params={"key": key}
        )
        for group, names in (("parameters", parameters), ("defaults", defaults))
        for key in names
        if key not in keys
    ]
    for key, variable in parameters.items():
        if key == MEDIA_KEY:
            errors.append(
                FieldError(f"parameters.{key}", "a media header takes a link as its default", code="media_header_link")
            )
        elif variable not in CONTACT_FIELDS and not (variable.startswith("custom.") and variable[7:] in custom):
            errors.append(
                FieldError(
                    f"parameters.{key}",
                    f"unknown variable {variable!r}: use {', '.join(CONTACT_FIELDS)} or custom.<key>",
                    code="unknown_variable",
                    params={"variable": variable},
                )
            )
    media = defaults.get(MEDIA_KEY)
    if media is not None and not media.startswith("https://"):
        errors.append(FieldError(f"defaults.{MEDIA_KEY}", "an https:// link to the header's media", code="https_link"))
    if errors:
        raise Invalid("the parameter mapping does not fit the template", errors)


def _set_parameters(session: Session, row: WhatsAppTemplate, data: WhatsAppParameters) -> None:
    check_parameters(session, row, data.parameters, data.defaults)
    row.parameters, row.defaults = dict(data.parameters), dict(data.defaults)


def map_parameters(
    *, session: Session, actor: Principal, template_id: uuid.UUID, data: WhatsAppParameters
) -> WhatsAppTemplateRead:
    """Which contact variable (and/or default) fills each parameter; replaces the previous mapping."""
    row = get_or_404(session, WhatsAppTemplate, template_id, "template")
    _set_parameters(session, row, data)
    session.flush()
    return _read(row)


def _fill(text: str, section: str, values: Mapping[str, str]) -> str:
    return _PARAMETER.sub(lambda m: values.get(f"{section}.{m.group(1)}", m.group(0)), text)


def _text_parameter(key: str, value: str, named: bool) -> dict[str, Any]:
    parameter: dict[str, Any] = {"type": "text", "text": value}
    if named:
        parameter["parameter_name"] = key.rsplit(".", 1)[1]
    return parameter


def fill(
    row: WhatsAppTemplate,
    contact_vars: Mapping[str, str],
    *,
    parameters: Mapping[str, str] | None = None,
    defaults: Mapping[str, str] | None = None,
) -> WhatsAppPreview:
    """The template as a contact would see it, and the ``components`` of the message that sends it.
    A parameter with no value and no default → 422 listing them all; Meta's length limits apply to the
    filled-in header and body. ``parameters`` and ``defaults`` (a campaign's) override the template's own."""
    keys = parameter_keys(row.components)
    mapping = {**row.parameters, **(parameters or {})}
    fallback = {**row.defaults, **(defaults or {})}
    values: dict[str, str] = {}
    missing: list[str] = []
    for key in keys:
        variable = mapping.get(key)
        value = (contact_vars.get(variable) if variable else None) or fallback.get(key)
        if value:
            values[key] = value
        else:
            missing.append(key)
    if missing:
        raise Invalid(
            "some parameters have no value and no default",
            [
                FieldError(f"parameters.{k}", "no value for this contact and no default", code="no_value")
                for k in missing
            ],
        )
    named = row.parameter_format.upper() == "NAMED"
    preview = WhatsAppPreview(body="", send_components=[])
    for component in row.components:
        kind = _type(component)
        if kind == "HEADER":
            media_format = str(component.get("format", "TEXT")).upper()
            if media_format in MEDIA_FORMATS:
                kind_name = media_format.lower()
                preview.header_media = {"type": kind_name, "link": values[MEDIA_KEY]}
                preview.send_components.append(
                    {"type": "header", "parameters": [{"type": kind_name, kind_name: {"link": values[MEDIA_KEY]}}]}
                )
            elif "text" in component:
                preview.header = _fill(str(component["text"]), "header", values)
                header_keys = [k for k in keys if k.startswith("header.") and k != MEDIA_KEY]
                if header_keys:
                    preview.send_components.append(
                        {"type": "header", "parameters": [_text_parameter(k, values[k], named) for k in header_keys]}
                    )
        elif kind == "BODY":
            preview.body = _fill(str(component.get("text", "")), "body", values)
            body_keys = [k for k in keys if k.startswith("body.")]
            if body_keys:
                preview.send_components.append(
                    {"type": "body", "parameters": [_text_parameter(k, values[k], named) for k in body_keys]}
                )
        elif kind == "FOOTER" and component.get("text"):
            preview.footer = str(component["text"])
        elif kind == "BUTTONS":
            for index, button in enumerate(component.get("buttons", [])):
                shown: dict[str, str] = {
                    "type": str(button.get("type", "")).upper(),
                    "text": str(button.get("text", "")),
                }
                if "url" in button:
                    shown["url"] = _fill(str(button["url"]), f"button.{index}", values)
                    button_keys = [k for k in keys if k.startswith(f"button.{index}.")]
                    if button_keys:
                        preview.send_components.append(
                            {
                                "type": "button",
                                "sub_type": "url",
                                "index": str(index),
                                "parameters": [{"type": "text", "text": values[k]} for k in button_keys],
                            }
                        )
                preview.buttons.append(shown)
    errors = []
    if preview.header is not None and len(preview.header) > HEADER_TEXT_MAX:
        errors.append(
            FieldError(
                "header",
                f"at most {HEADER_TEXT_MAX} characters once filled in",
                code="too_long_filled",
                params={"max": HEADER_TEXT_MAX},
            )
        )
    if len(preview.body) > BODY_TEXT_MAX:
        errors.append(
            FieldError(
                "body",
                f"at most {BODY_TEXT_MAX} characters once filled in",
                code="too_long_filled",
                params={"max": BODY_TEXT_MAX},
            )
        )
    if errors:
        raise Invalid("the filled-in template is too long for WhatsApp", errors)
    return preview


def preview(*, session: Session, actor: Principal, template_id: uuid.UUID, contact_id: uuid.UUID) -> WhatsAppPreview:
    row = get_or_404(session, WhatsAppTemplate, template_id, "template")
    contact = get_contact(session=session, actor=actor, contact_id=contact_id)
    return fill(row, contact_values(contact.model_dump()))
