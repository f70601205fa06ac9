"""A new company's owner on the API, for what a browser test needs set up beforehand (the screens under test are
driven in the browser), and the customer on the WhatsApp sandbox."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.browser.test_connections import register, sandbox_number
from tests.runtime import Runtime


class Api:
    """The new company's owner on the API, for what an admin set up on other screens, and the customer on the
    sandbox."""

    def __init__(self, runtime: Runtime, email: str, password: str) -> None:
        self.runtime = runtime
        self.http = httpx.Client(base_url=runtime.url, timeout=30)
        tokens = self.ok(self.http.post("/v1/auth/login", json={"email": email, "password": password}))
        self.http.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        self.number: dict[str, str] = {}

    def ok(self, response: httpx.Response) -> Any:
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def connect_number(self) -> None:
        """A number on the sandbox, connected, its webhook registered so the customer's messages come in."""
        self.number = number = sandbox_number(self.runtime)
        body = {"name": "Vendas", "phone_number_id": number["phone_number_id"], "waba_id": number["waba_id"],
                "access_token": number["token"], "app_secret": number["app_secret"]}  # fmt: skip
        connection = self.ok(self.http.post("/v1/connections", json=body))
        register(self.runtime, {**number, "webhook_url": connection["webhook_url"]})

    def rules(self) -> list[dict[str, Any]]:
        return self.ok(self.http.get("/v1/automations"))  # type: ignore[no-any-return]

    def customer_writes(self, phone: str, name: str, text: str) -> None:
        inbound = f"/sandbox/numbers/{self.number['phone_number_id']}/inbound"
        self.ok(self.http.post(inbound, json={"from": phone, "name": name, "text": text}))
