"""The Glance v2 paths of the two schemas: where they are served and what payloads link to."""

LIST_SCHEMA_URI = "/v2/schemas/images"
IMAGE_SCHEMA_URI = "/v2/schemas/image"
