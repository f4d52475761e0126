"""render_json: pydantic's own serializer for models gives the very bytes (and so ETags) of the
generic path, for every kind of value the API answers."""

import json
from datetime import UTC, date, datetime
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.testclient import TestClient

from icat_api.conditional import render_json
from icat_api.focal_points.schemas import FocalPointList
from icat_api.funding.schemas import FundingRead


def generic(data: Any) -> bytes:
    return json.dumps(
        jsonable_encoder(data), ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode()


def test_models_render_as_the_generic_encoder_would() -> None:
    contacts = FocalPointList.model_validate(
        {
            "entity_id": "ilo",
            "items": [
                {
                    "id": i,
                    "entity_id": "ilo",
                    "external_id": f"x-{i}",
                    "name": 'Zoë Ñúñez \u2028 "quoted" \\ back </script>',
                    "title": None,
                    "email": f"fp{i}@ilo.org",
                    "phone": "+41227990001",
                    "is_primary": i == 0,
                    "created_at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
                    "updated_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                }
                for i in range(3)
            ],
        }
    )
    funding = FundingRead.model_validate(
        {
            **FundingRead.model_config["json_schema_extra"]["examples"][0],  # type: ignore[index, dict-item]
            "received_on": date(2021, 9, 1),
        }
    )
    for model in (contacts, funding):
        assert render_json(model) == generic(model)


def test_answers_of_the_api_render_the_same_either_way(client: TestClient) -> None:
    for path in ("/v1/entities", "/v1/chairs", "/v1/decisions", "/v1/meetings", "/v1/work-plans"):
        r = client.get(path)
        assert r.status_code == 200, (path, r.text)
        assert r.content == generic(r.json()), path
