"""CDK entry point (``cdk.json`` → ``.venv/bin/python -m infra.app``): one stack, checked by cdk-nag at synth.

Context: ``env_name`` (default ``dev``; part of every resource name), ``alarm_email`` (optional alarm
subscription), ``send_rate`` (messages per second the stack is sized to send, default 80: ``infra.capacity``),
``deploy_id`` (``make deploy`` passes a fresh one so migrations run on every deploy), ``deps_layer``
(``placeholder`` forces the small placeholder layer: the tests, which do not deploy), ``web_dist`` (``placeholder``
publishes a one-page placeholder instead of ``web/dist``, the dashboard's build: the tests too).
Account and region come from the AWS CLI profile (``CDK_DEFAULT_ACCOUNT`` / ``CDK_DEFAULT_REGION``);
without them the stack is environment-agnostic, which is how ``make synth`` works offline.
"""

from __future__ import annotations

import os
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import Validations
from cdk_nag import AwsSolutionsChecks

from infra.stack import MasteriaStack


def add_stack(app: cdk.App, env_name: str, env: cdk.Environment | None) -> MasteriaStack:
    """One environment's stack; several fit in one app and one account (their names carry ``env_name``)."""
    return MasteriaStack(
        app,
        f"Masteria-{env_name}",
        env_name=env_name,
        staging_dir=Path(app.outdir) / ".staging",
        env=env,
        description="Master IA: WhatsApp and SMS messaging control panel",
    )


def build_app(outdir: str | None = None, context: dict[str, object] | None = None) -> cdk.App:
    app = cdk.App(outdir=outdir, context=context)
    env_name = str(app.node.try_get_context("env_name") or "dev")
    account, region = os.environ.get("CDK_DEFAULT_ACCOUNT"), os.environ.get("CDK_DEFAULT_REGION")
    add_stack(app, env_name, cdk.Environment(account=account, region=region) if account and region else None)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


if __name__ == "__main__":
    build_app().synth()
