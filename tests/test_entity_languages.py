"""Entities' names in the six UN languages and their former names through HTTP (issue 16,
items 1 and 2): writes with `names`/`acronyms`/`former_names` or with `name`/`acronym` alone,
what bad input gets, reads negotiated by Accept-Language, ETags and If-Match per language."""

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from icat_api.clock import today
from tests.helpers import PROBLEM, Headers, Json, body_of

ARABIC = "مكتب الأمم المتحدة المعني بالمخدرات والجريمة"
CHINESE = "联合国毒品和犯罪问题办公室"
FRENCH = "Office des Nations Unies contre la drogue et le crime"
UNODC_NAMES = {"en": "United Nations Office on Drugs and Crime", "fr": FRENCH, "ar": ARABIC}
UNODC_NAMES["zh"] = CHINESE
UNODC_ACRONYMS = {"en": "UNODC", "fr": "ONUDC"}

NEW: Json = {
    "id": "asean",
    "kind": "intergovernmental",
    "scope": "regional",
    "mandate_covers_tip": True,
}


def speak(client: TestClient, sec: Headers, entity_id: str = "unodc", **body: Any) -> Json:
    """PATCH ``body`` onto an entity (UNODC's languages by default)."""
    body = body or {"names": UNODC_NAMES, "acronyms": UNODC_ACRONYMS}
    return body_of(client.patch(f"/v1/entities/{entity_id}", headers=sec, json=body), 200)


def read(
    client: TestClient, language: str | None, path: str = "/v1/entities/unodc", **params: str
) -> Any:
    headers = {"Accept-Language": language} if language else {}
    return client.get(path, headers=headers, params=params)


def problem(r: Any, status: int = 422) -> Json:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body: Json = r.json()
    return body


# --- writes ------------------------------------------------------------------------------------


def test_a_writer_sending_only_name_and_acronym_still_works(
    client: TestClient, sec: Headers
) -> None:
    made = body_of(
        client.post(
            "/v1/entities",
            headers=sec,
            json={**NEW, "name": "Association of Southeast Asian Nations", "acronym": "ASEAN"},
        ),
        201,
    )
    assert made["names"] == {
        "ar": None,
        "zh": None,
        "en": "Association of Southeast Asian Nations",
        "fr": None,
        "ru": None,
        "es": None,
    }
    assert made["acronyms"]["en"] == "ASEAN" and made["former_names"] == []
    assert made["note"] is None


def test_names_alone_give_name_and_acronym(client: TestClient, sec: Headers) -> None:
    names = {
        "en": "Association of Southeast Asian Nations",
        "fr": "Association des nations de l'Asie du Sud-Est",
    }
    body = {**NEW, "names": names, "acronyms": {"en": "ASEAN", "fr": "ANASE"}}
    made = body_of(client.post("/v1/entities", headers=sec, json=body), 201)
    assert (made["name"], made["acronym"]) == (names["en"], "ASEAN")
    assert made["names"]["fr"] == names["fr"] and made["acronyms"]["fr"] == "ANASE"
    # Created in French, the answer is French, as any read would be.
    again = client.get("/v1/entities/asean", headers={"Accept-Language": "fr"})
    assert again.json()["name"] == names["fr"] and again.headers["content-language"] == "fr"


def test_name_and_names_must_agree_and_the_error_says_how(client: TestClient, sec: Headers) -> None:
    body = {
        **NEW,
        "name": "ASEAN Secretariat",
        "names": {"en": "Association of Southeast Asian Nations"},
    }
    refused = problem(client.post("/v1/entities", headers=sec, json=body))
    assert (
        "name ('ASEAN Secretariat') and names.en ('Association of Southeast Asian Nations') differ"
        in str(refused["errors"])
    )
    assert "send one of them, or the same in both" in str(refused["errors"])
    both = {**NEW, "name": "A", "names": {"en": "A"}, "acronym": "X", "acronyms": {"en": "Y"}}
    assert "acronym ('X') and acronyms.en ('Y') differ" in str(
        problem(client.post("/v1/entities", headers=sec, json=both))["errors"]
    )
    # The same English name in both is fine.
    same = {
        **NEW,
        "name": "A",
        "names": {"en": "A", "es": "B"},
        "acronym": "X",
        "acronyms": {"fr": "Z"},
    }
    made = body_of(client.post("/v1/entities", headers=sec, json=same), 201)
    assert made["acronyms"]["en"] == "X" and made["acronyms"]["fr"] == "Z"
    assert client.get("/v1/entities/xyz-none").status_code == 404


def test_a_body_without_any_name_is_refused(client: TestClient, sec: Headers) -> None:
    refused = problem(client.post("/v1/entities", headers=sec, json=NEW))
    assert "name (or names with its en) is required" in str(refused["errors"])


def test_names_without_english_are_refused_naming_the_field(
    client: TestClient, sec: Headers
) -> None:
    body = {**NEW, "names": {"fr": "Association des nations de l'Asie du Sud-Est"}}
    refused = problem(client.post("/v1/entities", headers=sec, json=body))
    assert {"loc": ["body", "names", "en"], "msg": "Field required"} in refused["errors"]
    refused = problem(
        client.patch("/v1/entities/unodc", headers=sec, json={"names": {"fr": FRENCH}})
    )
    assert {"loc": ["body", "names", "en"], "msg": "Field required"} in refused["errors"]
    assert client.get("/v1/entities/unodc").json()["names"]["fr"] is None  # nothing stored


@pytest.mark.parametrize(
    ("field", "tag", "says"),
    [
        ("names", "de", "'de' (German) is not one of the six UN languages"),
        ("names", "pt-BR", "is not one of the six UN languages"),
        ("names", "xx", "'xx' is not a language tag"),
        ("names", "e n", "'e n' is not a language tag"),
        ("names", "fr-FR", "write the language alone, 'fr'"),
        ("acronyms", "EN", "write the language alone, 'en'"),
        ("acronyms", "klingon", "is not a language tag"),
    ],
)
def test_unknown_and_malformed_tags_are_422_naming_the_field(
    client: TestClient, sec: Headers, field: str, tag: str, says: str
) -> None:
    value = {"en": "United Nations Office on Drugs and Crime", tag: "x"}
    if field == "acronyms":
        value = {tag: "x"}
    refused = problem(client.patch("/v1/entities/unodc", headers=sec, json={field: value}))
    [error] = refused["errors"]
    assert error["loc"] == ["body", field]
    assert says in error["msg"]
    assert problem(
        client.post("/v1/entities", headers=sec, json={**NEW, "name": "A", field: value})
    )


@pytest.mark.parametrize("override", ["\u202e", "\u202b", "\u2067", "\u2069", "\u202a"])
def test_arabic_with_a_bidirectional_override_is_refused(
    client: TestClient, sec: Headers, override: str
) -> None:
    names = {
        "en": "United Nations Office on Drugs and Crime",
        "ar": ARABIC[:10] + override + ARABIC[10:],
    }
    refused = problem(client.patch("/v1/entities/unodc", headers=sec, json={"names": names}))
    [error] = refused["errors"]
    assert error["loc"] == ["body", "names", "ar"]
    assert f"U+{ord(override):04X} is not allowed" in error["msg"]
    former = [{"name": "Old" + override, "until": "2000-01-01"}]
    refused = problem(
        client.patch("/v1/entities/unodc", headers=sec, json={"former_names": former})
    )
    assert refused["errors"][0]["loc"] == ["body", "former_names", 0, "name"]
    acronyms = {"ar": override + "م"}
    refused = problem(client.patch("/v1/entities/unodc", headers=sec, json={"acronyms": acronyms}))
    assert refused["errors"][0]["loc"] == ["body", "acronyms", "ar"]
    assert client.get("/v1/entities/unodc").json()["names"]["ar"] is None


def test_arabic_with_its_own_marks_is_kept_byte_exact(client: TestClient, sec: Headers) -> None:
    # The right-to-left mark (U+200F) is not an override: it stays, and so does every byte.
    names = {"en": "United Nations Office on Drugs and Crime", "ar": ARABIC + "\u200f"}
    speak(client, sec, names=names)
    assert client.get("/v1/entities/unodc").json()["names"]["ar"] == ARABIC + "\u200f"


def test_former_names_after_today_are_refused(client: TestClient, sec: Headers) -> None:
    tomorrow = today().replace(year=today().year + 1).isoformat()
    former = [
        {
            "name": "United Nations Office for Drug Control and Crime Prevention",
            "acronym": "ODCCP",
            "until": tomorrow,
        }
    ]
    refused = problem(
        client.patch("/v1/entities/unodc", headers=sec, json={"former_names": former})
    )
    assert refused["rule"] == "ToR 3.C.2"
    assert f"former_names[0].until {tomorrow} is after today" in refused["detail"]
    assert client.get("/v1/entities/unodc").json()["former_names"] == []


def test_overlapping_former_names_are_refused(client: TestClient, sec: Headers) -> None:
    former = [
        {
            "name": "Office for Drug Control and Crime Prevention",
            "acronym": "ODCCP",
            "until": "2002-09-30",
        },
        {
            "name": "United Nations Office for Drug Control",
            "acronym": "UNODCCP",
            "until": "2002-09-30",
        },
    ]
    refused = problem(
        client.patch("/v1/entities/unodc", headers=sec, json={"former_names": former})
    )
    assert refused["rule"] == "ToR 3.C.2"
    assert "Two former names end on 2002-09-30" in refused["detail"]
    created = client.post(
        "/v1/entities", headers=sec, json={**NEW, "name": "Association", "former_names": former}
    )
    assert problem(created)["rule"] == "ToR 3.C.2"
    assert client.get("/v1/entities/asean").status_code == 404


def test_a_former_name_equal_to_the_current_one_is_refused(
    client: TestClient, sec: Headers
) -> None:
    same = [
        {
            "name": "United Nations Office on Drugs and Crime",
            "acronym": "UNODC",
            "until": "2002-09-30",
        }
    ]
    refused = problem(client.patch("/v1/entities/unodc", headers=sec, json={"former_names": same}))
    assert "a former name records a renaming" in refused["detail"]
    # Renaming back to the latest former name is refused too (send the history with it).
    dpa = client.patch(
        "/v1/entities/dpa",
        headers=sec,
        json={"name": "Department of Political Affairs", "acronym": "DPA"},
    )
    assert "a former name records a renaming" in problem(dpa)["detail"]


def test_a_renaming_keeps_the_old_name_as_a_former_name(client: TestClient, sec: Headers) -> None:
    body: Json = {
        "name": "United Nations Office against Drugs and Crime",
        "former_names": [
            {
                "name": "Office for Drug Control and Crime Prevention",
                "acronym": "ODCCP",
                "until": "2002-09-30",
            },
            {
                "name": "United Nations Office on Drugs and Crime",
                "acronym": "UNODC",
                "until": "2025-12-31",
            },
        ],
    }
    renamed = speak(client, sec, **body)
    assert renamed["name"] == "United Nations Office against Drugs and Crime"
    assert [f["until"] for f in renamed["former_names"]] == ["2002-09-30", "2025-12-31"]
    assert (
        read(client, None, on="2020-01-01").json()["name"]
        == "United Nations Office on Drugs and Crime"
    )
    assert read(client, None, on="2001-01-01").json()["acronym"] == "ODCCP"
    # The old name is free for another entity no more than before: names stay unique in English.
    assert (
        client.get("/v1/entities", params={"q": "against drugs"}).json()["items"][0]["id"]
        == "unodc"
    )


def test_patching_one_language_keeps_the_others(client: TestClient, sec: Headers) -> None:
    speak(client, sec)
    renamed = speak(
        client, sec, name="United Nations Office on Drugs and Crime (UNODC)", acronym=None
    )
    assert renamed["names"]["fr"] == FRENCH and renamed["names"]["ar"] == ARABIC
    assert (
        renamed["names"]["en"]
        == renamed["name"]
        == "United Nations Office on Drugs and Crime (UNODC)"
    )
    assert renamed["acronym"] is None and renamed["acronyms"]["fr"] == "ONUDC"
    # `names` replaces every language: those left out are cleared.
    cleared = speak(
        client, sec, names={"en": "United Nations Office on Drugs and Crime", "es": "UNODC-es"}
    )
    assert cleared["names"]["fr"] is None and cleared["names"]["es"] == "UNODC-es"
    assert cleared["name"] == "United Nations Office on Drugs and Crime"
    assert problem(client.patch("/v1/entities/unodc", headers=sec, json={"names": None}))


# --- reads -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "name", "acronym", "content_language"),
    [
        ("fr", FRENCH, "ONUDC", "fr"),
        ("ar", ARABIC, "UNODC", "ar, en"),  # no Arabic acronym: English for that field
        ("zh-Hans-CN", CHINESE, "UNODC", "zh, en"),
        ("es", "United Nations Office on Drugs and Crime", "UNODC", "en"),  # nobody filled it
        (None, "United Nations Office on Drugs and Crime", "UNODC", "en"),
        ("de, ar;q=0.5", ARABIC, "UNODC", "ar, en"),
    ],
)
def test_an_entity_is_read_in_the_language_asked(
    client: TestClient,
    sec: Headers,
    language: str | None,
    name: str,
    acronym: str,
    content_language: str,
) -> None:
    speak(client, sec)
    r = read(client, language)
    assert r.status_code == 200
    assert (r.json()["name"], r.json()["acronym"]) == (name, acronym)
    assert r.json()["names"] == {
        "ar": ARABIC,
        "zh": CHINESE,
        "en": "United Nations Office on Drugs and Crime",
        "fr": FRENCH,
        "ru": None,
        "es": None,
    }
    assert r.headers["content-language"] == content_language
    assert [v.strip() for v in r.headers["vary"].split(",")][:2] == ["Accept", "Accept-Language"]


def test_the_entity_list_in_arabic_round_trips_byte_exact(client: TestClient, sec: Headers) -> None:
    speak(client, sec)
    r = client.get("/v1/entities", headers={"Accept-Language": "ar"}, params={"q": "unodc"})
    assert r.status_code == 200 and r.headers["content-language"] == "ar, en"
    assert ARABIC.encode() in r.content  # as UTF-8, not \\u escapes
    assert r.json()["items"][0]["name"] == ARABIC
    r = client.get("/v1/entities", headers={"Accept-Language": "ar", "Accept": "text/csv"})
    assert r.content.startswith(b"\xef\xbb\xbf")
    [row] = [
        row
        for row in csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"), newline=""))
        if row["id"] == "unodc"
    ]
    assert row["name"] == ARABIC
    assert f'"ar": "{ARABIC}"' in row["names"]
    assert r.headers["content-language"] == "ar, en"
    assert "Accept-Language" in r.headers["vary"]


def test_each_language_has_its_own_etag_and_304(client: TestClient, sec: Headers) -> None:
    speak(client, sec)
    tags = {}
    for language in ("en", "fr", "ar", "zh"):
        first = read(client, language)
        tags[language] = etag = first.headers["etag"]
        again = client.get(
            "/v1/entities/unodc", headers={"Accept-Language": language, "If-None-Match": etag}
        )
        assert again.status_code == 304 and again.content == b""
    assert len(set(tags.values())) == 4
    # French's ETag is not current for Arabic: the whole answer.
    r = client.get(
        "/v1/entities/unodc", headers={"Accept-Language": "ar", "If-None-Match": tags["fr"]}
    )
    assert r.status_code == 200 and r.headers["etag"] == tags["ar"]
    # A language nobody filled is English: the same bytes, the same ETag.
    assert read(client, "ru").headers["etag"] == tags["en"]


def test_an_etag_read_in_any_language_is_current_for_if_match(
    client: TestClient, sec: Headers
) -> None:
    speak(client, sec)
    french = read(client, "fr").headers["etag"]
    changed = client.patch(
        "/v1/entities/unodc",
        headers={**sec, "If-Match": french},
        json={"website": "https://www.unodc.org/en/"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["content-language"] == "en"
    stale = client.patch(
        "/v1/entities/unodc",
        headers={**sec, "If-Match": french},
        json={"website": "https://unodc.org"},
    )
    assert problem(stale, 412)
    assert client.get("/v1/entities/unodc").json()["website"] == "https://www.unodc.org/en/"


def test_dpa_is_named_as_on_the_day_asked(client: TestClient) -> None:
    today_ = client.get("/v1/entities/dpa").json()
    assert (today_["name"], today_["acronym"]) == (
        "Department of Political and Peacebuilding Affairs",
        "DPPA",
    )
    assert today_["former_names"] == [
        {"name": "Department of Political Affairs", "acronym": "DPA", "until": "2018-12-31"}
    ]
    assert "72/199" in today_["note"] and "fact sheet" in today_["note"]
    then = client.get("/v1/entities/dpa", params={"on": "2015-06-30"}).json()
    assert (then["name"], then["acronym"]) == ("Department of Political Affairs", "DPA")
    last = client.get("/v1/entities/dpa", params={"on": "2018-12-31"}).json()
    assert last["name"] == "Department of Political Affairs"
    first = client.get("/v1/entities/dpa", params={"on": "2019-01-01"}).json()
    assert first["name"] == "Department of Political and Peacebuilding Affairs"
    listed = {
        e["id"]: e["name"]
        for e in client.get("/v1/entities", params={"on": "2015-06-30", "limit": 200}).json()[
            "items"
        ]
    }
    assert listed["dpa"] == "Department of Political Affairs"
    assert listed["dpko"] == "Department of Peacekeeping Operations"
