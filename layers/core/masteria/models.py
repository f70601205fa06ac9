"""Every table, imported in one place so migrations and checks see the whole schema."""

from __future__ import annotations

from masteria import events as _events
from masteria import jobs as _jobs
from masteria.adapters.local import queue_models as _queue_models
from masteria.adapters.local import scheduler as _scheduler_models
from masteria.ai import models as _ai_models
from masteria.ai import progression_models as _ai_progression_models
from masteria.ai import responder_models as _ai_responder_models
from masteria.appointments import models as _appointments_models
from masteria.audit import models as _audit_models
from masteria.automations import models as _automations_models
from masteria.cadences import models as _cadences_models
from masteria.cadences import send_models as _cadence_send_models
from masteria.campaigns import models as _campaigns_models
from masteria.channels import models as _channels_models
from masteria.contacts import models as _contacts_models
from masteria.conversations import models as _conversations_models
from masteria.db import Base
from masteria.knowledge import models as _knowledge_models
from masteria.notifications import models as _notifications_models
from masteria.outbound import models as _outbound_models
from masteria.pipelines import models as _pipelines_models
from masteria.templates import models as _templates_models
from masteria.tenancy import models as _tenancy_models
from masteria.webhooks import models as _webhooks_models

metadata = Base.metadata

__all__ = [
    "_ai_models",
    "_ai_progression_models",
    "_ai_responder_models",
    "_appointments_models",
    "_audit_models",
    "_automations_models",
    "_cadence_send_models",
    "_cadences_models",
    "_campaigns_models",
    "_channels_models",
    "_contacts_models",
    "_conversations_models",
    "_events",
    "_jobs",
    "_knowledge_models",
    "_notifications_models",
    "_outbound_models",
    "_pipelines_models",
    "_queue_models",
    "_scheduler_models",
    "_templates_models",
    "_tenancy_models",
    "_webhooks_models",
    "metadata",
]
