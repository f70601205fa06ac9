"""An SMS connection's settings: where its messages come from, and the country rules that decide what may send.

An origination is either a phone number (normalized to E.164, read in the connection's country unless it starts
with ``+``) or an alphanumeric sender ID: 3 to 11 letters, digits or spaces with at least one letter (what
carriers display in place of a number). Some countries' carriers accept neither a sender ID nor a number from
abroad: ``COUNTRY_RULES`` says which; any other country takes ``OTHER_COUNTRIES``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import phonenumbers

from masteria.channels.providers.sms_aws.config import SmsConfig
from masteria.channels.schemas import SmsConnectionCreate, SmsSettings
from masteria.contacts import phones
from masteria.errors import FieldError, Invalid

SENDER_ID = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{3,11}$")


@dataclass(frozen=True)
class CountryRule:
    sender_id: bool  # an alphanumeric sender ID may send to the country
    local_number: bool  # an origination number must be the country's own


# From AWS End User Messaging SMS's supported countries: the United States and Canada take only their own
# 10DLC, toll-free or short codes; Brazil only its own long or short codes. Add a country with its source.
COUNTRY_RULES = {
    "BR": CountryRule(sender_id=False, local_number=True),
    "CA": CountryRule(sender_id=False, local_number=True),
    "US": CountryRule(sender_id=False, local_number=True),
}
OTHER_COUNTRIES = CountryRule(sender_id=True, local_number=False)


def origination_kind(origination: str) -> Literal["number", "sender_id"]:
    return "sender_id" if any(c.isalpha() for c in origination) else "number"


def _origination(raw: str, country: str) -> str:
    """The origination as it will be sent from; Invalid with the ``origination`` field's error otherwise."""
    rule = COUNTRY_RULES.get(country, OTHER_COUNTRIES)
    params = {"country": country}
    if origination_kind(raw) == "sender_id":
        sender = " ".join(raw.split())
        if not SENDER_ID.fullmatch(sender):
            message = "a sender ID has 3 to 11 letters, digits or spaces, at least one a letter"
            raise Invalid(message, [FieldError("origination", message, code="invalid_sender_id")])
        if not rule.sender_id:
            message = f"carriers in {country} accept no sender ID: use a phone number of {country}"
            raise Invalid(message, [FieldError("origination", message, code="sender_id_not_allowed", params=params)])
        return sender
    try:
        number = phones.normalize(raw, country)
    except phones.InvalidPhone as error:
        raise Invalid(str(error), [FieldError("origination", str(error), code="invalid_phone")]) from error
    if rule.local_number and phonenumbers.region_code_for_number(phonenumbers.parse(number)) != country:
        message = f"carriers in {country} accept only a number of {country}"
        raise Invalid(message, [FieldError("origination", message, code="origination_not_local", params=params)])
    return number


def sms_config(data: SmsConnectionCreate) -> SmsConfig:
    """The configuration an SMS connection is created with (Invalid, with each field's error, when it cannot
    send: an unknown country, a malformed origination, one the country's carriers refuse)."""
    if data.country not in phonenumbers.SUPPORTED_REGIONS:
        message = f"{data.country} is not a country code (ISO 3166-1 alpha-2)"
        raise Invalid(
            message, [FieldError("country", message, code="unknown_country", params={"country": data.country})]
        )
    settings = data.model_dump(exclude={"provider", "name"})
    return SmsConfig(**{**settings, "origination": _origination(data.origination, data.country)})


def sms_settings(config: SmsConfig) -> SmsSettings:
    return SmsSettings(**config.model_dump(), origination_kind=origination_kind(config.origination))
