"""The browser security headers of the dashboard and of /docs, in one place: the local runtime sends them, and
the CloudFront response-headers policy of the CDK app is built from the same constants.

No ``'unsafe-inline'`` for scripts anywhere: the dashboard's build and Swagger UI's start-up are script files.
Inline styles stay allowed (Radix and Swagger UI set ``style`` attributes)."""

from __future__ import annotations

DASHBOARD_CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https:",
        "media-src 'self' blob: https:",
        "connect-src 'self' ws: wss:",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
    )
)


def with_connect_sources(policy: str, *sources: str) -> str:
    """``policy`` whose ``connect-src`` also allows ``sources`` (on AWS: the media bucket, where the dashboard sends
    large files to presigned URLs)."""
    return "; ".join(
        " ".join((directive, *sources)) if directive.startswith("connect-src ") else directive
        for directive in policy.split("; ")
    )


# Every header the dashboard's responses carry, Content-Security-Policy included.
DASHBOARD_SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": DASHBOARD_CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
