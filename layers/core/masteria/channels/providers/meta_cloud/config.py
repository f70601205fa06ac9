"""A Meta Cloud API connection's sealed configuration: the number, its WhatsApp Business Account, and the
secrets (the access token; the app secret that signs Meta's webhooks; the token of Meta's verification
handshake)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class WebhookConfig(BaseModel):
    """What checking Meta's webhooks needs of a connection (all the webhook function has of it): the app secret
    that signs the bodies, the token of the verification handshake."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    app_secret: str
    verify_token: str


class MetaCloudConfig(WebhookConfig):
    phone_number_id: str
    waba_id: str
    access_token: str
