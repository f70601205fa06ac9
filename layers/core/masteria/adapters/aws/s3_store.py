"""The ``ObjectStore`` port on Amazon S3 (uploads go straight to S3 through presigned URLs)."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, cast

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class S3Store:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    @classmethod
    def from_region(cls, region: str, bucket: str) -> S3Store:
        # presigned URLs on the bucket's regional host (https://{bucket}.s3.{region}.amazonaws.com), the one origin
        # the dashboard's Content-Security-Policy lets it send files to (infra.constructs.storage)
        config = Config(
            signature_version="s3v4", s3={"addressing_style": "virtual", "us_east_1_regional_endpoint": "regional"}
        )
        return cls(boto3.client("s3", region_name=region, config=config), bucket)

    def put(self, key: str, data: IO[bytes]) -> int:
        self._client.upload_fileobj(data, self._bucket, key, ExtraArgs={"ServerSideEncryption": "aws:kms"})
        return int(self._client.head_object(Bucket=self._bucket, Key=key)["ContentLength"])

    def open(self, key: str) -> IO[bytes]:
        return cast("IO[bytes]", self._client.get_object(Bucket=self._bucket, Key=key)["Body"])

    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    def size(self, key: str) -> int | None:
        try:
            head = self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return int(head["ContentLength"])

    def delete(self, key: str) -> None:
        # the bucket is versioned: the object's last version is kept as an old version for a while (infra.storage)
        self._client.delete_object(Bucket=self._bucket, Key=key)

    def download_url(self, key: str, *, expires_seconds: int) -> str | None:
        return str(
            self._client.generate_presigned_url(
                "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_seconds
            )
        )

    def upload_url(self, key: str, *, expires_seconds: int, max_bytes: int) -> str | None:
        # S3 checks the size on a presigned POST, not a PUT: the import re-checks it after the upload.
        return self._client.generate_presigned_url(
            "put_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_seconds
        )
