"""S3: the article results the runner writes and handle_result / the contents API read."""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import ClientError

from contenthub.aws import client, error_code
from contenthub.errors import ResultMissing
from contenthub.models import Article


@dataclass
class ArticleStore:
    bucket: str

    def put(self, key: str, article: Article) -> None:
        client("s3").put_object(
            Bucket=self.bucket, Key=key, Body=article.model_dump_json().encode(), ContentType="application/json"
        )

    def get(self, key: str) -> Article:
        try:
            body = client("s3").get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error_code(error) in ("NoSuchKey", "404"):
                raise ResultMissing(f"the runner's result s3://{self.bucket}/{key} does not exist") from error
            raise
        return Article.model_validate_json(body)
