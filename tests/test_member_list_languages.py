"""The member list, the Working Group, chairs and the Chair's report in the UN languages and as
of a day (issue 16, items 1 and 2): French, Arabic and a language nobody filled; the 2015 list
with the names of 2015; per-language ETags and cache entries, the response cache included; Arabic
and Chinese byte-exact in JSON, CSV and the HTML page."""

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import Headers, Json, body_of
from tests.test_member_list_html import Page

ARABIC = "مكتب الأمم المتحدة المعني بالمخدرات والجريمة"
CHINESE = "联合国毒品和犯罪问题办公室"
ILO_FRENCH = "Organisation internationale du Travail"
ILO_ARABIC = "منظمة العمل الدولية"
UNODC = "United Nations Office on Drugs and Crime"
DPPA = "Department of Political and Peacebuilding Affairs"
DPA = "Department of Political Affairs"
HTML, CSV = "text/html", "text/csv"


@pytest.fixture
def spoken(client: TestClient, sec: Headers) -> None:
    """UNODC in Arabic, Chinese and French; ILO in French and Arabic; nobody in Russian or
    Spanish. UN Women and OSCE (the 2019 co-chairs) stay English."""
    for entity_id, body in (
        (
            "unodc",
            {
                "names": {
                    "en": UNODC,
                    "ar": ARABIC,
                    "zh": CHINESE,
                    "fr": "Office des Nations Unies contre la drogue et le crime",
                },
                "acronyms": {"en": "UNODC", "fr": "ONUDC"},
            },
        ),
        (
            "ilo",
            {
                "names": {
                    "en": "International Labour Organization",
                    "fr": ILO_FRENCH,
                    "ar": ILO_ARABIC,
                },
                "acronyms": {"en": "ILO", "fr": "OIT", "ar": "م ع د"},
            },
        ),
    ):
        body_of(client.patch(f"/v1/entities/{entity_id}", headers=sec, json=body), 200)


def member_list(
    client: TestClient, language: str | None, accept: str = "application/json", **params: str
) -> Any:
    headers = {"Accept": accept}
    if language is not None:
        headers["Accept-Language"] = language
    r = client.get("/v1/member-list", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r


def names(body: Json, group: str = "members") -> dict[str, tuple[str, str | None]]:
    return {e["id"]: (e["name"], e["acronym"]) for e in body[group]}


def vary(r: Any) -> list[str]:
    return [v.strip() for v in r.headers["vary"].split(",")]


@pytest.mark.usefixtures("spoken")
def test_the_member_list_in_french(client: TestClient) -> None:
    r = member_list(client, "fr-CH, fr;q=0.9, en;q=0.5")
    listed = names(r.json())
    assert listed["ilo"] == (ILO_FRENCH, "OIT")
    assert listed["unodc"] == ("Office des Nations Unies contre la drogue et le crime", "ONUDC")
    assert listed["iom"] == ("International Organization for Migration", "IOM")  # English fallback
    assert r.json()["coordinator"]["acronym"] == "ONUDC"
    assert r.headers["content-language"] == "fr, en"
    assert {"Accept", "Accept-Language"} <= set(vary(r))


@pytest.mark.usefixtures("spoken")
def test_the_member_list_in_arabic(client: TestClient) -> None:
    r = member_list(client, "ar")
    listed = names(r.json())
    assert listed["unodc"] == (ARABIC, "UNODC")
    assert listed["ilo"] == (ILO_ARABIC, "م ع د")
    assert r.headers["content-language"] == "ar, en"


@pytest.mark.usefixtures("spoken")
@pytest.mark.parametrize("language", ["ru", "es-419", "de", "*;q=0.1, en;q=0"])
def test_a_language_nobody_filled_is_english_and_says_so(client: TestClient, language: str) -> None:
    english = member_list(client, None)
    r = member_list(client, language)
    if language.startswith("*"):  # anything but English: Arabic comes first among the others
        assert r.headers["content-language"] == "ar, en"
        return
    assert r.content == english.content
    assert r.headers["etag"] == english.headers["etag"]
    # What was used, not what was asked: nothing in it is Russian or Spanish.
    assert r.headers["content-language"] == english.headers["content-language"] == "en"


@pytest.mark.usefixtures("spoken")
def test_each_language_has_its_own_etag_and_304_on_the_route_and_the_response_cache(
    client: TestClient,
) -> None:
    for accept in ("application/json", CSV, HTML):
        tags = {}
        for language in ("en", "fr", "ar", "zh"):
            client.app.state.read_cache.clear()  # type: ignore[attr-defined]
            miss = member_list(client, language, accept)  # the route fills the cache
            hit = member_list(client, language, accept)  # the response cache answers
            assert hit.content == miss.content
            assert hit.headers["content-language"] == miss.headers["content-language"]
            tags[language] = etag = miss.headers["etag"]
            headers = {"Accept": accept, "Accept-Language": language, "If-None-Match": etag}
            cached_304 = client.get("/v1/member-list", headers=headers)
            assert cached_304.status_code == 304 and cached_304.content == b""
            assert cached_304.headers["content-language"] == miss.headers["content-language"]
        assert len(set(tags.values())) == 4, accept
        # Another language's ETag is not this one's: the whole answer.
        headers = {"Accept": accept, "Accept-Language": "ar", "If-None-Match": tags["fr"]}
        again = client.get("/v1/member-list", headers=headers)
        assert again.status_code == 200 and again.headers["etag"] == tags["ar"]


@pytest.mark.usefixtures("spoken")
def test_the_response_cache_answers_each_language_as_the_route_does(client: TestClient) -> None:
    for language in ("fr", "ar", "zh-TW", "ru", "fr;q=0, ar;q=0.4"):
        client.app.state.read_cache.clear()  # type: ignore[attr-defined]
        route = member_list(client, language, HTML, on="2019-06-30")
        fast = member_list(client, language, HTML, on="2019-06-30")
        assert fast.content == route.content
        same = {k: v for k, v in route.headers.items() if k != "x-request-id"}
        assert {k: v for k, v in fast.headers.items() if k != "x-request-id"} == same
    # The cache was cleared before the last request: it holds that language's entry alone.
    keys = [k for k in client.app.state.read_cache._entries if k[0] == "member-list"]  # type: ignore[attr-defined]
    assert len(keys) == 1 and keys[0][3] == "ar"
    # Filled in one language, the cache never answers another with it.
    english = member_list(client, "en", HTML, on="2019-06-30")
    for language, says in (("fr", "fr, en"), ("ar", "ar, en"), ("en", "en"), ("fr", "fr, en")):
        r = member_list(client, language, HTML, on="2019-06-30")
        assert r.headers["content-language"] == says
        assert (r.content == english.content) is (language == "en")


@pytest.mark.usefixtures("spoken")
def test_arabic_and_chinese_round_trip_byte_exact_in_json_csv_and_html(client: TestClient) -> None:
    for language, name in (("ar", ARABIC), ("zh", CHINESE)):
        data = member_list(client, language)
        assert name.encode() in data.content  # UTF-8 as sent, no \\u escapes
        assert data.json()["coordinator"]["name"] == name
        table = member_list(client, language, CSV)
        assert table.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"), newline="")))
        assert {r["name"] for r in rows if r["id"] == "unodc"} == {name}
        assert f'"coordinator","unodc","{name}"'.encode() in table.content
        page = member_list(client, language, HTML)
        assert f"<bdi>{name}</bdi>".encode() in page.content


@pytest.mark.usefixtures("spoken")
def test_the_arabic_page_is_right_to_left_and_marks_what_is_english(client: TestClient) -> None:
    r = member_list(client, "ar", HTML)
    page = Page(r.text)
    assert page.elements[0] == ("html", {"lang": "ar", "dir": "rtl"})
    assert r.headers["content-language"] == "ar, en"
    # Its own words are English, marked so and written left to right.
    headings = [attrs for tag, attrs in page.elements if tag == "h2"]
    assert all(h["lang"] == "en" and h["dir"] == "ltr" for h in headings)
    # A name that fell back to English says so; an Arabic one takes the page's language.
    assert '<bdi lang="en">International Organization for Migration</bdi>' in r.text
    assert f"<bdi>{ILO_ARABIC}</bdi>" in r.text
    assert '(<bdi lang="en">UNODC</bdi>)' in r.text
    french = Page(member_list(client, "fr", HTML).text)
    assert french.elements[0] == ("html", {"lang": "fr", "dir": "ltr"})
    # A language nobody filled: an English page, as its Content-Language says.
    russian = member_list(client, "ru", HTML)
    assert Page(russian.text).elements[0] == ("html", {"lang": "en", "dir": "ltr"})
    assert 'lang="' not in russian.text.split("<html", 1)[1].split(">", 1)[1]


def test_the_2015_member_list_shows_the_names_of_2015(client: TestClient, sec: Headers) -> None:
    # The Coordinator corrects assumption A2: DPA was a member from 2008 (under its old name).
    span = {"role": "member", "starts_on": "2008-01-01", "ends_on": "2019-01-01", "note": "Test."}
    body_of(client.post("/v1/entities/dpa/memberships", headers=sec, json=span), 201)
    then = member_list(client, None, on="2015-06-30").json()
    assert names(then)["dpa"] == (DPA, "DPA")
    now = member_list(client, None).json()
    assert names(now)["dpa"] == (DPPA, "DPPA")
    last_day = member_list(client, "fr", on="2018-12-31")
    assert names(last_day.json())["dpa"] == (DPA, "DPA")
    assert last_day.headers["content-language"] == "en"  # a former name is English
    table = member_list(client, None, CSV, on="2015-06-30").content.decode("utf-8-sig")
    assert f'"member","dpa","{DPA}","DPA"' in table
    assert DPPA not in table
    page = member_list(client, None, HTML, on="2015-06-30").text
    assert f"<bdi>{DPA}</bdi>" in page and DPPA not in page


def test_the_working_group_chairs_and_report_speak_the_language_asked(
    client: TestClient, sec: Headers, spoken: None
) -> None:
    headers = {"Accept-Language": "fr"}
    wg = client.get("/v1/working-group", headers=headers)
    assert {m["entity_id"]: m["name"] for m in wg.json()["members"]}["ilo"] == ILO_FRENCH
    assert wg.headers["content-language"] == "fr, en"
    assert {"Accept", "Accept-Language"} <= set(vary(wg))
    english = client.get("/v1/working-group")
    assert english.headers["etag"] != wg.headers["etag"]
    again = client.get(
        "/v1/working-group", headers={**headers, "If-None-Match": wg.headers["etag"]}
    )
    assert again.status_code == 304

    chairs = client.get(
        "/v1/chairs", headers={"Accept-Language": "ar"}, params={"on": "2013-06-30"}
    )
    [term] = chairs.json()["items"]
    assert term["chairs"][0]["name"] == ILO_ARABIC and chairs.headers["content-language"] == "ar"
    every = client.get("/v1/chairs", headers={"Accept-Language": "ar"}).json()["items"]
    assert [c["name"] for c in every[0]["chairs"]] == [ARABIC]  # UNODC 2007-2010

    report = client.get("/v1/chair-terms/2013/report", headers={"Accept-Language": "fr"})
    assert report.json()["chair_names"] == [ILO_FRENCH]
    assert report.headers["content-language"] == "fr"
    markdown = client.get(
        "/v1/chair-terms/2013/report", headers={"Accept-Language": "fr", "Accept": "text/markdown"}
    )
    assert markdown.text.startswith(f"# ICAT Chair's report - 2013 ({ILO_FRENCH})")
    assert {"Accept", "Accept-Language"} <= set(vary(markdown))


def test_the_chair_report_names_entities_as_in_its_year(client: TestClient, sec: Headers) -> None:
    span = {"role": "member", "starts_on": "2015-03-01", "ends_on": "2019-01-01"}
    body_of(client.post("/v1/entities/dpa/memberships", headers=sec, json=span), 201)
    report = body_of(client.get("/v1/chair-terms/2015/report"), 200)
    assert {"entity_id": "dpa", "name": DPA, "role": "member", "on": "2015-03-01"} in report[
        "roles_started"
    ]
    later = body_of(client.get("/v1/chair-terms/2018/report"), 200)
    assert {"entity_id": "dpa", "name": DPA, "role": "member", "on": "2018-12-31"} in later[
        "roles_ended"
    ]
    # Nothing in 2018's report bears the name that came on 1 January 2019.
    assert json.dumps(DPPA) not in json.dumps(later)
