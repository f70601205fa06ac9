"""One shared Powertools logger: structured JSON, tenant and correlation ids, no secrets or PII.

Call sites log keyword fields (``extra={...}``), never f-strings with data. As a second line of
defence a filter redacts fields whose names denote secrets or phone numbers, and digit runs that
look like phone numbers inside messages.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric

REDACTED = "[redacted]"
METRICS_NAMESPACE = "Masteria"
_SECRET_KEY = re.compile(r"pass(word)?|secret|token|authorization|cookie|api[_-]?key|phone|msisdn|wa_id", re.I)
_PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{7,}\d")


class RedactingFilter(logging.Filter):
    """Redacts secret-named extra fields and phone-like digit runs in the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key in list(vars(record)):
            if _SECRET_KEY.search(key):
                setattr(record, key, REDACTED)
        if isinstance(record.msg, str):
            record.msg = _PHONE_LIKE.sub(REDACTED, record.msg)
        return True


logger = Logger(service="masteria", use_rfc3339=True)
logger.addFilter(RedactingFilter())


@contextmanager
def log_context(**keys: Any) -> Iterator[None]:
    """Append keys (company_id, correlation_id, …) to every log line of this thread's work."""
    clean = {k: v for k, v in keys.items() if v is not None}
    logger.thread_safe_append_keys(**clean)
    try:
        yield
    finally:
        logger.thread_safe_remove_keys(list(clean))


def failure_fields(error: BaseException) -> dict[str, str]:
    """Where an error happened and the types of the errors it chains, without what they say (an error's text
    may quote customer data: a phone number, an email, SQL parameters): log these, never the exception."""
    chain: list[str] = []
    seen: BaseException | None = error
    while seen is not None and len(chain) < 5:
        chain.append(f"{type(seen).__module__}.{type(seen).__qualname__}")
        seen = seen.__cause__ or seen.__context__
    return {"error_type": " <- ".join(chain), "traceback": "".join(traceback.format_tb(error.__traceback__))}


def count(name: str, *, value: float = 1, **dimensions: str) -> None:
    """Add ``value`` to the CloudWatch metric ``name`` (namespace ``Masteria``): one line of Embedded Metric Format
    on stdout, which Lambda's logs turn into the metric. Dimensions are few and never personal data."""
    with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace=METRICS_NAMESPACE) as metric:
        for key, dimension in dimensions.items():
            metric.add_dimension(name=key, value=dimension)
