"""The demo company the local runtime seeds, so a newcomer can sign in at once."""

from __future__ import annotations

from masteria.db import Database
from masteria.errors import Conflict
from masteria.ports import Clock
from masteria.tenancy import service
from masteria.tenancy.schemas import SignUp
from masteria.tenancy.security import TokenConfig

DEMO_EMAIL = "demo@masteria.example"  # RFC 2606 reserves .example
DEMO_COMPANY = "Demo Company"


def ensure_demo_company(*, db: Database, clock: Clock, tokens: TokenConfig, password: str) -> bool:
    """Create the demo company and its owner unless they exist; True when created now."""
    data = SignUp(company_name=DEMO_COMPANY, name="Demo Owner", email=DEMO_EMAIL, password=password)
    try:
        service.sign_up(db=db, clock=clock, tokens=tokens, data=data)
    except Conflict:
        return False
    return True
