"""Glance's v2 bodies that are not image payloads: recognised, one S008 info, never image errors."""

from __future__ import annotations

from glance_validate import validate
from glance_validate.text.kinds import classify, other_payload

MEMBER = {
    "member_id": "4f6b2f5e8a0c4d3e9b1a7c6d5e4f3a2b",
    "image_id": "9c1bdc48-4b53-4d2f-9a0d-1d2b5f0e7c31",
    "status": "rejected",
    "created_at": "2026-11-20T09:14:02Z",
    "updated_at": "2026-11-20T09:14:02Z",
    "schema": "/v2/schemas/member",
}


def test_a_member_record_is_not_classified_as_an_image() -> None:
    """A member record (status, created_at, schema) is kind unknown, not image."""
    assert classify(MEMBER, ("created_at", "updated_at", "schema")) == "unknown"


def test_a_member_record_gets_one_info_finding_and_no_image_error() -> None:
    """validate() of a member record: ok, exactly the S008 info naming the member request."""
    result = validate(MEMBER, schema="glance")
    assert (result.ok, result.codes()) == (True, ["S008"])
    assert "GET /v2/images/{id}/members/{member_id}" in result.findings[0].message


def test_a_task_record_is_recognised_by_type_and_input() -> None:
    """A task record (id, type, input, status, self) is a task, not an image."""
    task = {
        "id": "b0a7c4f2",
        "type": "import",
        "input": {},
        "status": "pending",
        "self": "/v2/tasks/b0a7c4f2",
    }
    assert other_payload(task) == "a task record (GET /v2/tasks/{id})"


def test_an_image_record_is_not_another_payload() -> None:
    """An image whose multi-store 'stores' is a string stays an image."""
    image = {"id": "9c1bdc48-4b53-4d2f-9a0d-1d2b5f0e7c31", "status": "active", "stores": "fast,cheap"}
    assert (other_payload(image), classify(image)) == (None, "image")


def test_an_images_schema_stays_a_schema() -> None:
    """Only the member, task and namespace schemas are other payloads; the images schema is a schema."""
    assert classify({"name": "images", "properties": {}, "links": []}) == "schema"
    assert classify({"name": "members", "properties": {}, "links": []}) == "unknown"


def test_an_unrecognised_object_is_still_an_error() -> None:
    """An object of none of Glance's shapes keeps the S002 error."""
    assert validate({"members": "not a list"}, schema="glance").codes() == ["S002"]
