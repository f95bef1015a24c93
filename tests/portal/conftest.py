"""The throwaway servers (S3, Redis) live with the infrastructure tests; the site's tests use them too."""

from tests.infra.conftest import bucket, redis_server, s3_endpoint  # noqa: F401
