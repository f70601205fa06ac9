"""CDK entry point (``cdk.json`` → ``python3 -m infra.app``).

For now an empty app: it synthesizes offline and proves the toolchain. The stack (HTTP and WebSocket
APIs, the functions of ``functions/manifest.py``, queues, database, …) is added by the infrastructure
issue, built from the manifest so that no second list of functions exists.
"""

from __future__ import annotations

import aws_cdk as cdk


def build_app(outdir: str | None = None) -> cdk.App:
    return cdk.App(outdir=outdir)


if __name__ == "__main__":
    build_app().synth()
