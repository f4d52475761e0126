"""The six UN languages (issue 16, item 1), without HTTP: Accept-Language weighed with q-values
(RFC 9110, 12.5.4; RFC 4647 lookup), language tags checked with babel, names picked per field
with the English fallback, and what Content-Language then says."""

from datetime import date

import pytest

from icat_api.entities.names import NameRecord, Naming
from icat_api.entities.rules import FormerName
from icat_api.languages import (
    UN_LANGUAGES,
    check_language_tag,
    content_language,
    parse_accept_language,
    pick,
    preferred_language,
)


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        (None, "en"),  # no header: English
        ("", "en"),
        ("fr", "fr"),
        ("FR", "fr"),  # tags are case-insensitive
        ("ar", "ar"),
        ("fr-CH", "fr"),  # a regional variant asks for its language
        ("fr-Latn-CH", "fr"),
        ("zh-Hans-CN", "zh"),
        ("zh-TW", "zh"),  # the UN has one Chinese
        ("de", "en"),  # no UN language named: English
        ("de, fr;q=0.5", "fr"),  # the first UN language by weight
        ("fr;q=0.5, ar;q=0.9", "ar"),  # weights, not order
        ("fr;q=0.5, ar;q=0.5", "fr"),  # a tie: the header's order
        ("ar;q=0.5, fr;q=0.5", "ar"),
        ("es;q=0.1, ru", "ru"),  # no q is q=1
        ("ru;q=1.0, es;q=0.999", "ru"),
        ("*", "en"),  # anything: English first
        ("*, en;q=0", "ar"),  # anything but English: the UN's order
        ("de, *;q=0.5", "en"),
        ("fr;q=0", "en"),  # refused: the fallback
        ("fr;q=0, *", "en"),
        ("en;q=0, fr;q=0, *", "ar"),
        ("en;q=0, es", "es"),
        ("fr-CH;q=0, fr", "fr"),  # refusing Swiss French is not refusing French
        ("fr;q=0, fr-CH", "en"),  # refusing French refuses the French we have
        # Unreadable parts are skipped; nothing readable is no header.
        ("fr;q=2", "en"),
        ("fr;q=abc, es", "es"),
        ("fr;q=-1", "en"),
        ("123, ru", "ru"),
        ("f_r, zh", "zh"),
        ("toolonglanguage, ar", "ar"),
        (";;;,,,", "en"),
        ("da, en-gb;q=0.8, en;q=0.7", "en"),  # RFC 9110's own example
        ("es-419, es;q=0.9, en;q=0.8", "es"),  # Latin American Spanish
    ],
)
def test_accept_language_picks_a_un_language(header: str | None, chosen: str) -> None:
    assert preferred_language(header) == chosen


def test_a_long_header_is_read_too_and_bounded() -> None:
    assert preferred_language("de;q=0.9, " * 30 + "ar") == "ar"
    # Past 64 ranges the rest is not read: a header cannot make the parser work without end.
    assert preferred_language("de, " * 64 + "ar") == "en"
    assert len(parse_accept_language("de, " * 100)) == 64


def test_ranges_keep_their_weights() -> None:
    ranges = parse_accept_language("fr-CH, fr;q=0.9, *;q=0.5, bad;q=x")
    assert [(r.tag, r.q) for r in ranges] == [("fr-ch", 1.0), ("fr", 0.9), ("*", 0.5)]
    assert ranges[0].primary == "fr"


@pytest.mark.parametrize("tag", UN_LANGUAGES)
def test_the_six_un_tags_are_keys(tag: str) -> None:
    assert check_language_tag(tag) == tag


@pytest.mark.parametrize(
    ("tag", "says"),
    [
        ("de", "'de' (German) is not one of the six UN languages"),
        ("pt-BR", "(Portuguese (Brazil)) is not one of the six UN languages"),
        ("xx", "'xx' is not a language tag"),
        ("12", "'12' is not a language tag"),
        ("", "'' is not a language tag"),
        ("fr_FR", "'fr_FR' is not a language tag"),
        ("a-b-c-d", "is not a language tag"),
        ("fr-CH", "write the language alone, 'fr'"),
        ("EN", "write the language alone, 'en'"),
        ("zh-Hans", "write the language alone, 'zh'"),
    ],
)
def test_other_tags_are_refused_saying_why(tag: str, says: str) -> None:
    with pytest.raises(ValueError) as refused:  # noqa: PT011 (the message is checked below)
        check_language_tag(tag)
    assert says in str(refused.value)
    assert "ar, zh, en, fr, ru, es" in str(refused.value)


def test_a_value_falls_back_to_english_per_field() -> None:
    names = {
        "en": "International Labour Organization",
        "fr": "Organisation internationale du Travail",
    }
    assert pick(names, "fr") == ("Organisation internationale du Travail", "fr")
    assert pick(names, "ar") == ("International Labour Organization", "en")
    assert pick({"fr": "OIT"}, "ru") is None  # no English acronym, none in Russian
    assert pick({"en": "ILO", "fr": ""}, "fr") == ("ILO", "en")


@pytest.mark.parametrize(
    ("asked", "used", "says"),
    [
        ("fr", {"fr"}, "fr"),
        ("fr", {"fr", "en"}, "fr, en"),  # some French names were missing
        ("fr", {"en"}, "en"),  # none was filled in French: what was used
        ("ar", {"en", "ar"}, "ar, en"),
        ("en", {"en"}, "en"),
        ("ru", set(), "ru"),  # no name shown: the language asked
    ],
)
def test_content_language_names_the_languages_used(asked: str, used: set[str], says: str) -> None:
    assert content_language(asked, used) == says


ILO = NameRecord(
    name="International Labour Organization",
    acronym="ILO",
    names={"en": "International Labour Organization", "ar": "منظمة العمل الدولية"},
    acronyms={"en": "ILO", "fr": "OIT"},
    former=(),
)
DPPA = NameRecord(
    name="Department of Political and Peacebuilding Affairs",
    acronym="DPPA",
    names={
        "en": "Department of Political and Peacebuilding Affairs",
        "fr": "Département des affaires politiques et de la consolidation de la paix",
    },
    acronyms={"en": "DPPA"},
    former=(FormerName("Department of Political Affairs", "DPA", date(2018, 12, 31)),),
)


def test_a_naming_shows_each_field_in_the_language_or_english_and_remembers_which() -> None:
    arabic = Naming(date(2020, 1, 1), "ar")
    assert arabic.show("ilo", ILO) == ("منظمة العمل الدولية", "ILO")
    assert arabic.shown_in["ilo"] == ("ar", "en")
    assert arabic.content_language() == "ar, en"
    french = Naming(date(2020, 1, 1), "fr")
    assert french.show("ilo", ILO) == ("International Labour Organization", "OIT")
    assert french.content_language() == "fr, en"


def test_before_a_renaming_the_former_name_is_shown_in_english() -> None:
    french = Naming(date(2015, 6, 30), "fr")
    assert french.show("dpa", DPPA) == ("Department of Political Affairs", "DPA")
    assert french.content_language() == "en"
    assert french.on(date(2019, 1, 1)).show("dpa", DPPA) == (
        "Département des affaires politiques et de la consolidation de la paix",
        "DPPA",
    )
    # `on` shares what was used: the answer says both.
    assert french.content_language() == "fr, en"
    assert Naming(date(2018, 12, 31)).show("dpa", DPPA)[0] == "Department of Political Affairs"
