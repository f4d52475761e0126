"""Spreadsheet-safe output (issue 12): the one CSV writer, the member list CSV and the records
zip that use it, and text escaped in the Markdown Chair's report."""

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from html import escape as html_escape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markdown_it import MarkdownIt

from icat_api import csv_output
from icat_api.chairs.report import md
from icat_api.csv_output import BOM, cell, neutralize, to_csv

ASCII_DANGEROUS = ["=", "+", "-", "@", ";", "|", "%", "\t", "\r"]
FULL_WIDTH_DANGEROUS = ["\uff1d", "\uff0b", "\uff0d", "\uff20", "\uff1b", "\uff5c", "\uff05"]
DANGEROUS = ASCII_DANGEROUS + FULL_WIDTH_DANGEROUS
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
# What may come before the first visible character: nothing, spaces (ASCII, no-break,
# ideographic), a newline, each zero-width character, and mixes of them.
LEADS = [
    "",
    " ",
    "   ",
    "\u00a0",
    "\u3000",
    "\n",
    *ZERO_WIDTH,
    " \u200b \ufeff",
    "\u2060\u00a0\u200d",
]
HARMLESS = [
    "United Nations Office on Drugs and Crime",
    "UN-Women",  # a hyphen inside is no formula
    "a=b+c",
    "Économie & société — Zürich",
    "(1) first",
    "'quoted already",
    "#hashtag",
    "100%",
    "1",
    "https://www.unodc.org",
    "",
    "   ",
    "\u200b",
]


def parse(body: bytes) -> list[list[str]]:
    """The rows of a CSV answer, read the way a careful client reads it."""
    assert body.startswith(BOM), body[:10]
    assert not body[len(BOM) :].startswith(BOM)  # the mark once
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def assert_every_cell_quoted(body: bytes) -> None:
    """The raw bytes are exactly the rows written back with every cell quoted: so every cell
    was quoted, and nothing else is in the file."""
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(parse(body))
    assert body == BOM + out.getvalue().encode()


# The writer itself.


@pytest.mark.parametrize("lead", LEADS, ids=repr)
@pytest.mark.parametrize("char", DANGEROUS, ids=repr)
def test_a_cell_whose_first_visible_character_is_dangerous_is_prefixed(
    char: str, lead: str
) -> None:
    text = f"{lead}{char}SUM(A1:A9)"
    assert neutralize(text) == "'" + text
    assert cell(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS, ids=repr)
def test_a_harmless_cell_is_written_as_it_is(text: str) -> None:
    assert neutralize(text) == text
    assert cell(text) == text


def test_a_tab_or_carriage_return_before_the_text_is_prefixed_too() -> None:
    for text in ("\tplain", "\rplain", " \tplain", "\u200b\rplain"):
        assert cell(text) == "'" + text


def test_numbers_and_dates_are_written_plainly_user_text_is_not() -> None:
    assert cell(-1) == "-1"
    assert cell(42) == "42"
    assert cell(Decimal("-12.50")) == "-12.50"
    assert cell(Decimal("1234.56")) == "1234.56"
    assert cell(date(2019, 6, 30)) == "2019-06-30"
    assert cell(datetime(2019, 6, 30, 12, 0, tzinfo=UTC)) == "2019-06-30T12:00:00+00:00"
    assert cell(True) == "True"
    assert cell(None) == ""
    # Text that looks like a number is text: "-1" is what an injection would send.
    assert cell("-1") == "'-1"
    assert cell("+1") == "'+1"
    # JSON values are written as JSON text, made safe like any text.
    assert cell({"name": "=1"}) == '{"name": "=1"}'
    assert cell(["a", 1]) == '["a", 1]'


def test_a_whole_file_bom_once_every_cell_quoted_and_it_parses_back() -> None:
    rows: list[list[Any]] = [
        ['=HYPERLINK("http://evil")', 'Zürich, "quoted"', 7, None],
        ["multi\nline", "\u200b@SUM(1)", Decimal("-1.5"), date(2020, 1, 1)],
    ]
    body = to_csv(["a", "b", "c", "d"], rows)
    assert body.startswith(b'\xef\xbb\xbf"a","b"')
    assert_every_cell_quoted(body)
    assert parse(body) == [
        ["a", "b", "c", "d"],
        ['\'=HYPERLINK("http://evil")', 'Zürich, "quoted"', "7", ""],
        ["multi\nline", "'\u200b@SUM(1)", "-1.5", "2020-01-01"],
    ]
    assert to_csv(["only", "header"], []) == BOM + b'"only","header"\r\n'


def test_a_file_name_is_a_plain_name_or_refused() -> None:
    assert csv_output.attachment("icat-member-list-2019-06-30.csv") == {
        "Content-Disposition": 'attachment; filename="icat-member-list-2019-06-30.csv"'
    }
    for bad in ('a".csv', "../etc/passwd", "a b.csv", "", "x\r\nSet-Cookie: y"):
        with pytest.raises(ValueError, match="plain file name"):
            csv_output.attachment(bad)


# Through the API: entities whose names start with every dangerous character the registry can
# hold. A carriage return cannot (the API refuses control characters but tab and newline): the
# writer's own tests above cover it.
STORABLE = [char for char in DANGEROUS if char != "\r"]


def nasty_name(i: int, char: str) -> str:
    # The API trims leading whitespace from names, so a tab can only come after an invisible
    # character; the others start the name itself.
    return f"\u2060{char}cmd {i}" if char == "\t" else f"{char}cmd {i}"


def nasty_acronym(char: str) -> str:
    return f"\u200b \u3000\ufeff{char}1"  # after a zero-width space, spaces and a BOM


def make_members(client: TestClient, sec: dict[str, str], starts_on: str) -> dict[str, str]:
    """One member per dangerous character (name and acronym), and one with harmless text;
    answers each id's expected name."""
    bodies: list[dict[str, Any]] = [
        {"id": f"nasty-{i}", "name": nasty_name(i, char), "acronym": nasty_acronym(char)}
        for i, char in enumerate(STORABLE)
    ]
    bodies.append({"id": "harmless", "name": "Économie & société (UN-Women) a=b", "acronym": "ÉS"})
    for body in bodies:
        r = client.post(
            "/v1/entities",
            headers=sec,
            json={**body, "kind": "intergovernmental", "mandate_covers_tip": True},
        )
        assert r.status_code == 201, r.text
        r = client.post(
            f"/v1/entities/{body['id']}/memberships",
            headers=sec,
            json={"role": "member", "starts_on": starts_on},
        )
        assert r.status_code == 201, r.text
    return {b["id"]: b["name"] for b in bodies}


def check_rows(rows: list[dict[str, str]], names: dict[str, str]) -> None:
    by_id = {row["id"]: row for row in rows}
    for i, char in enumerate(STORABLE):
        row = by_id[f"nasty-{i}"]
        assert row["name"] == "'" + nasty_name(i, char), (char, row)
        assert row["acronym"] == "'" + nasty_acronym(char), (char, row)
    assert by_id["harmless"]["name"] == names["harmless"]
    assert by_id["harmless"]["acronym"] == "ÉS"
    for row in rows:  # no other cell is touched
        if row["id"] not in names:
            assert not row["name"].startswith("'"), row


def test_the_member_list_csv_is_spreadsheet_safe(client: TestClient, sec: dict[str, str]) -> None:
    names = make_members(client, sec, "2019-03-01")
    r = client.get("/v1/member-list", params={"on": "2019-06-30"}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        r.headers["content-disposition"] == 'attachment; filename="icat-member-list-2019-06-30.csv"'
    )
    assert_every_cell_quoted(r.content)
    header, *rows = parse(r.content)
    assert header == ["group", "id", "name", "acronym", "website"]
    members = [dict(zip(header, row, strict=True)) for row in rows if row[0] == "member"]
    check_rows(members, names)
    # Its ETag still answers 304, with the same headers, from the route and from memory.
    etag = r.headers["etag"]
    for _ in range(2):
        again = client.get(
            "/v1/member-list",
            params={"on": "2019-06-30"},
            headers={"Accept": "text/csv", "If-None-Match": etag},
        )
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["content-disposition"] == r.headers["content-disposition"]
        client.app.state.read_cache.clear()  # type: ignore[attr-defined]
    # JSON is not an attachment.
    as_json = client.get("/v1/member-list", params={"on": "2019-06-30"})
    assert "content-disposition" not in as_json.headers


def test_today_s_member_list_csv_is_named_for_today(client: TestClient) -> None:
    today = client.get("/v1/member-list").json()["as_of"]
    r = client.get("/v1/member-list", headers={"Accept": "text/csv"})
    assert r.headers["content-disposition"] == (
        f'attachment; filename="icat-member-list-{today}.csv"'
    )


def test_every_csv_in_the_records_zip_is_spreadsheet_safe(
    client: TestClient, sec: dict[str, str]
) -> None:
    names = make_members(client, sec, "2019-03-01")
    r = client.get("/v1/records/2019", headers={**sec, "Accept": "application/zip"})
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == 'attachment; filename="icat-records-2019.zip"'
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
        # A fixed time on every file: the same records are the same bytes (and ETag).
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert "entities.csv" in files and "memberships.csv" in files
    for name, body in files.items():
        assert_every_cell_quoted(body)  # each file starts with its own byte-order mark
        assert parse(body)[0], name  # a header row, even for an empty table
    header, *rows = parse(files["entities.csv"])
    check_rows([dict(zip(header, row, strict=True)) for row in rows], names)
    # Numbers and days are plain: ids and dates are not prefixed.
    header, *rows = parse(files["memberships.csv"])
    spans = [dict(zip(header, row, strict=True)) for row in rows]
    ours = [s for s in spans if s["entity_id"] == "nasty-0"]
    assert len(ours) == 1
    assert re.fullmatch(r"\d+", ours[0]["id"]) and ours[0]["starts_on"] == "2019-03-01"
    # The same records answer the same ETag, and 304 to it.
    again = client.get("/v1/records/2019", headers={**sec, "Accept": "application/zip"})
    assert again.content == r.content and again.headers["etag"] == r.headers["etag"]
    cached = client.get(
        "/v1/records/2019",
        headers={**sec, "Accept": "application/zip", "If-None-Match": r.headers["etag"]},
    )
    assert cached.status_code == 304


# The Markdown Chair's report.

NASTY_MD = "Evil | Org *bold* <script>alert(1)</script> & [x](http://e)\n# heading\n\nnext"
RENDER = MarkdownIt("commonmark").enable("table")


def test_md_keeps_a_value_in_one_table_row_and_shows_its_characters() -> None:
    table = f"| name | role |\n| --- | --- |\n| {md(NASTY_MD)} | member |\n"
    html = RENDER.render(table)
    assert html.count("<tr>") == 2  # the header and one row
    assert html.count("<td>") == 2
    assert "<script>" not in html and "<strong>" not in html and "<em>" not in html
    assert "<a " not in html and "<h1>" not in html
    first_cell = html.split("<td>")[1].split("</td>")[0]
    assert first_cell == html_escape(" ".join(NASTY_MD.split()), quote=False)


@pytest.mark.parametrize(
    "value",
    ["# heading", "- item", "+ item", "1. first", "2023) x", "> quote", "```code```", "    code"],
)
def test_md_never_starts_a_block(value: str) -> None:
    """At the start of a list item, where a value opens the line, it stays the item's text."""
    html = RENDER.render(f"- {md(value)}: member\n")
    shown = html_escape(" ".join(value.split()), quote=False)
    assert html == f"<ul>\n<li>{shown}: member</li>\n</ul>\n"


def test_a_nasty_name_stays_one_line_of_the_report_escaped(
    client: TestClient, sec: dict[str, str]
) -> None:
    r = client.post(
        "/v1/entities",
        headers=sec,
        json={
            "id": "nasty-md",
            "name": NASTY_MD,
            "kind": "intergovernmental",
            "mandate_covers_tip": True,
        },
    )
    assert r.status_code == 201, r.text
    r = client.post(
        "/v1/entities/nasty-md/memberships",
        headers=sec,
        json={"role": "member", "starts_on": "2019-03-01"},
    )
    assert r.status_code == 201, r.text
    report = client.get("/v1/chair-terms/2019/report", headers={"Accept": "text/markdown"})
    assert report.status_code == 200, report.text
    lines = [line for line in report.text.splitlines() if "Evil" in line]
    assert lines == [
        r"- Evil \| Org \*bold\* &lt;script&gt;alert(1)&lt;/script&gt; &amp; \[x\](http://e)"
        r" # heading next: member from 2019-03-01"
    ]
    html = RENDER.render(report.text)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    [item] = [li for li in html.split("<li>") if "Evil" in li]
    assert "<em>" not in item and "<a " not in item and "<h1>" not in item
    # The other sections are untouched.
    assert report.text.startswith("# ICAT Chair's report - 2019 (")
