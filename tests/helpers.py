"""Small helpers shared by the API test files: a response's body, every item of a list, a key."""

from datetime import date
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from icat_api.keys.service import create_key
from tests.conftest import Keys

Headers = dict[str, str]
Json = dict[str, Any]
PROBLEM = "application/problem+json"


def body_of(r: httpx.Response, status: int) -> Json:
    """The JSON body of a response expected to answer ``status``."""
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    data: Json = r.json()
    return data


def all_items(client: TestClient, path: str, headers: Headers | None = None, **params: Any) -> Any:
    """Every item of a list, following the cursor."""
    items: list[Any] = []
    query: dict[str, Any] = {"limit": 200, **params}
    while True:
        page = body_of(client.get(path, params=query, headers=headers or {}), 200)
        items.extend(page["items"])
        if page["next_cursor"] is None:
            return items
        query["cursor"] = page["next_cursor"]


def key_of(db: Session, entity_id: str) -> Headers:
    """The headers of a new key of ``entity_id``."""
    _, key = create_key(session=db, entity_id=entity_id)
    db.commit()
    return Keys.header(key)


def interest(
    term_year: int, submitted_on: date | str, *entity_ids: str, roles: list[Json] | None = None
) -> Json:
    """The body of an expression of interest in chairing."""
    body: Json = {
        "term_year": term_year,
        "entity_ids": list(entity_ids),
        "submitted_on": str(submitted_on),
    }
    if roles is not None:
        body["roles"] = roles
    return body


def express(client: TestClient, headers: Headers, body: Json) -> Json:
    return body_of(client.post("/v1/chair-candidacies", headers=headers, json=body), 201)


def candidacy(client: TestClient, candidacy_id: int) -> Json:
    return body_of(client.get(f"/v1/chair-candidacies/{candidacy_id}"), 200)


def voters_on(client: TestClient, day: str) -> list[str]:
    """Every entity with voting rights on ``day``: whom an electronic procedure consults."""
    roster = body_of(client.get("/v1/working-group", params={"on": day}), 200)
    return sorted(m["entity_id"] for m in roster["members"] if m["has_voting_rights"])


def decide_electronically(
    client: TestClient, headers: Headers, deadline_on: str, **fields: Any
) -> Json:
    """A general decision by electronic procedure in 2015 (UNHCR chaired), every voter
    consulted until ``deadline_on``."""
    body: Json = {
        "procedure": "electronic",
        "deadline_on": deadline_on,
        "consulted_entity_ids": voters_on(client, deadline_on),
        "kind": "general",
        "record": "The Working Group agrees its calendar by silence procedure.",
        "confirmed_by": "unhcr",
        "objections": [],
        **fields,
    }
    return body_of(client.post("/v1/decisions", headers=headers, json=body), 201)
