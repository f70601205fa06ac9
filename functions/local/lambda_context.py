"""A Lambda context for handlers invoked by the local runtime (the same handlers AWS invokes)."""

from __future__ import annotations

import importlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from functions.manifest import FunctionSpec
from masteria.observability import logger

# What Powertools' inject_lambda_context appends to the shared logger. On Lambda each function has its
# own process; the local runtime runs them all in one, so the keys are removed after each invocation.
_LAMBDA_CONTEXT_KEYS = ["cold_start", "function_name", "function_memory_size", "function_arn", "function_request_id"]


@dataclass
class LocalLambdaContext:
    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{self.function_name}"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    @classmethod
    def for_function(cls, spec: FunctionSpec) -> LocalLambdaContext:
        return cls(function_name=spec.name, memory_limit_in_mb=spec.memory_mb, timeout_seconds=spec.timeout_seconds)


def resolve(handler: str) -> Callable[[dict[str, Any], Any], Any]:
    """The function a manifest's dotted handler path names."""
    module, _, name = handler.rpartition(".")
    function: Callable[[dict[str, Any], Any], Any] = getattr(importlib.import_module(module), name)
    return function


def invoke(spec: FunctionSpec, event: dict[str, Any]) -> Any:
    """Call ``spec``'s Lambda handler as Lambda would: the event and a fresh context."""
    try:
        return resolve(spec.handler)(event, LocalLambdaContext.for_function(spec))
    finally:
        logger.remove_keys(_LAMBDA_CONTEXT_KEYS)
