"""`icat-api` on a database that is missing, unreachable or not migrated (issue 13, item 2).

Every command that needs the database says so in one line on stderr, with what to run, exits
1, prints no traceback (`--debug` does) and creates no file. The cases run on SQLite always;
PostgreSQL's own (a missing database, an empty one) when ICAT_TEST_DATABASE_URL names one, as
the second pass of .ci/run does. An unreachable server is a closed port: no server needed.
"""

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from icat_api import migrate
from icat_api.cli import app as cli_app
from icat_api.settings import get_settings
from tests.dbutil import BASE_URL, HEAD, fresh_database, is_postgres
from tests.livesrv import free_port

ICAT_API = str(Path(sys.executable).parent / "icat-api")
UPGRADE = "run `icat-api db upgrade`"

# Each command that needs a migrated database (checked by icat_api.dbcheck), with arguments
# that would otherwise succeed, or fail only on the data.
CHECKED: dict[str, list[str]] = {
    "seed": ["seed"],
    "keys create": ["keys", "create", "--entity", "ilo"],
    "keys list": ["keys", "list"],
    "keys revoke": ["keys", "revoke", "1"],
    "db downgrade": ["db", "downgrade", "base"],
}
# The others: they create and migrate the database, need none, or check it themselves.
MAKE_THE_DATABASE = {"serve", "db upgrade"}
NO_DATABASE = {"openapi export"}
CHECK_THEMSELVES = {"db dump", "db restore"}  # icat_api.dump's own errors, tests/test_dump.py

runner = CliRunner()


def _commands(command: Any, prefix: str = "") -> set[str]:
    children = getattr(command, "commands", None)
    if not children:
        return {prefix}
    return {
        path
        for name, child in children.items()
        for path in _commands(child, f"{prefix} {name}".strip())
    }


def test_every_command_is_covered_here_or_said_not_to_need_it() -> None:
    known = set(CHECKED) | MAKE_THE_DATABASE | NO_DATABASE | CHECK_THEMSELVES
    assert _commands(typer.main.get_command(cli_app)) - known == set(), (
        "a new command: add it to CHECKED (and call _ready_database()) or say why not"
    )


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Select a database through ICAT_DATABASE_URL, as an operator would."""

    def select(url: str) -> None:
        monkeypatch.setenv("ICAT_DATABASE_URL", url)
        get_settings.cache_clear()

    try:
        yield select
    finally:
        get_settings.cache_clear()


def icat(*args: str) -> Result:
    return runner.invoke(cli_app, list(args), prog_name="icat-api")


def one_error_line(result: Result) -> str:
    """The one line a failed command wrote, checked: exit 1, stderr only, no traceback."""
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("icat-api: the database "), lines[0]
    return lines[0]


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.mark.parametrize("command", CHECKED)
def test_a_missing_sqlite_file_is_named_and_not_created(
    command: str, tmp_path: Path, use_database: Any
) -> None:
    url = f"sqlite:///{tmp_path / 'missing.db'}"
    use_database(url)
    line = one_error_line(icat(*CHECKED[command]))
    assert line == (
        f"icat-api: the database {url} does not exist (no file {tmp_path / 'missing.db'}); "
        "create it with `icat-api db upgrade`"
    )
    assert files_in(tmp_path) == set()


@pytest.mark.parametrize("command", CHECKED)
def test_an_empty_sqlite_file_is_not_migrated(
    command: str, tmp_path: Path, use_database: Any
) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    use_database(f"sqlite:///{path}")
    line = one_error_line(icat(*CHECKED[command]))
    assert "is not migrated (it has no revision, head is " in line
    assert line.endswith(UPGRADE)
    assert files_in(tmp_path) == {"empty.db"}
    assert path.stat().st_size == 0


@pytest.mark.parametrize("command", CHECKED)
def test_an_empty_database_of_the_backend_under_test_is_not_migrated(
    command: str, use_database: Any
) -> None:
    url = fresh_database("cli_errors")
    if not is_postgres():
        Path(make_url(url).database or "").touch()  # SQLite: an empty file
    use_database(url)
    line = one_error_line(icat(*CHECKED[command]))
    assert f"the database {make_url(url).render_as_string(hide_password=True)} is not migrated" in (
        line
    )
    assert line.endswith(UPGRADE)


@pytest.fixture(scope="module")
def old_revision_url() -> str:
    """A database of the backend under test, migrated to 0007 of the head."""
    url = fresh_database("cli_errors_old")
    migrate.upgrade(url, "0007")
    return url


@pytest.mark.parametrize("command", sorted(set(CHECKED) - {"db downgrade"}))
def test_a_database_behind_head_is_not_migrated(
    command: str, old_revision_url: str, use_database: Any
) -> None:
    use_database(old_revision_url)
    line = one_error_line(icat(*CHECKED[command]))
    assert f"is not migrated (at revision 0007, head is {HEAD}): run `icat-api db upgrade`" in line


def test_a_database_behind_head_may_still_be_downgraded(use_database: Any) -> None:
    url = fresh_database("cli_errors_down")
    migrate.upgrade(url, "0007")
    use_database(url)
    result = icat("db", "downgrade", "0005")
    assert result.exit_code == 0, (result.output, result.exception)


def test_a_revision_this_program_does_not_know_is_named(tmp_path: Path, use_database: Any) -> None:
    path = tmp_path / "newer.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('9999')")
    conn.close()
    use_database(f"sqlite:///{path}")
    for command in CHECKED.values():
        line = one_error_line(icat(*command))
        assert (
            f"is at revision 9999, which this icat-api does not know (its head is {HEAD})" in line
        )


def test_a_file_that_is_not_a_database_cannot_be_read(tmp_path: Path, use_database: Any) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database, a text file that is long enough to hold a header " * 4)
    use_database(f"sqlite:///{path}")
    for command in CHECKED.values():
        line = one_error_line(icat(*command))
        assert line.endswith("cannot be read (file is not a database)"), line
    assert files_in(tmp_path) == {"notes.db"}


@pytest.mark.parametrize("command", CHECKED)
def test_an_unreachable_postgresql_server_is_named_without_its_password(
    command: str, use_database: Any
) -> None:
    url = f"postgresql+psycopg://icat:pw-s3cret@127.0.0.1:{free_port()}/icat"
    use_database(url)
    line = one_error_line(icat(*CHECKED[command]))
    assert line.startswith("icat-api: the database postgresql+psycopg://icat:***@127.0.0.1:"), line
    assert "cannot be reached (" in line
    assert "Connection refused" in line
    assert "pw-s3cret" not in line


def _missing_database() -> tuple[str, str]:
    """A database of the backend under test that does not exist, and the line that says so."""
    if not is_postgres():
        url = fresh_database("cli_errors_missing")  # SQLite: a file not created
        path = Path(make_url(url).database or "")
        return url, (
            f"icat-api: the database {url} does not exist (no file {path}); "
            "create it with `icat-api db upgrade`"
        )
    assert BASE_URL is not None
    name = f"{make_url(BASE_URL).database}_never_created"
    missing = make_url(BASE_URL).set(database=name)
    return missing.render_as_string(hide_password=False), (
        f"icat-api: the database {missing.render_as_string(hide_password=True)} does not exist; "
        f"create it (createdb {name}), then run `icat-api db upgrade`"
    )


@pytest.mark.parametrize("command", CHECKED)
def test_a_missing_database_of_the_backend_under_test_is_named(
    command: str, use_database: Any
) -> None:
    url, expected = _missing_database()
    use_database(url)
    assert one_error_line(icat(*CHECKED[command])) == expected
    if not is_postgres():
        assert not Path(make_url(url).database or "").exists()


def test_db_upgrade_creates_a_missing_sqlite_file_but_names_a_missing_postgresql_database(
    use_database: Any,
) -> None:
    url, expected = _missing_database()
    use_database(url)
    result = icat("db", "upgrade")
    if is_postgres():  # a server's database is the operator's to create
        assert one_error_line(result) == expected
    else:  # SQLite's file is the program's to create
        assert result.exit_code == 0, (result.output, result.exception)
        assert Path(make_url(url).database or "").is_file()


def test_db_upgrade_names_an_unreachable_server(use_database: Any) -> None:
    use_database(f"postgresql+psycopg://icat:pw-s3cret@127.0.0.1:{free_port()}/icat")
    line = one_error_line(icat("db", "upgrade"))
    assert "cannot be reached (" in line
    assert "pw-s3cret" not in line


def test_debug_shows_the_traceback_then_the_line(tmp_path: Path, use_database: Any) -> None:
    use_database(f"sqlite:///{tmp_path / 'missing.db'}")
    result = icat("--debug", "keys", "list")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "DatabaseNotReady" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("icat-api: the database sqlite:///")
    assert files_in(tmp_path) == set()


def _run_in(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed `icat-api` in ``folder``, with no ICAT_ setting but ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ICAT_")}
    return subprocess.run(
        [ICAT_API, *args],
        cwd=folder,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_keys_list_in_an_empty_folder_leaves_it_empty(tmp_path: Path) -> None:
    """The issue's report: the default database, sqlite:///./icat.db, where there is none."""
    done = _run_in(tmp_path, "keys", "list")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        f"icat-api: the database sqlite:///./icat.db does not exist (no file "
        f"{tmp_path / 'icat.db'}); create it with `icat-api db upgrade`\n"
    )
    assert files_in(tmp_path) == set()

    debug = _run_in(tmp_path, "--debug", "keys", "list")
    assert debug.returncode == 1
    assert debug.stderr.startswith("Traceback (most recent call last)")
    assert debug.stderr.splitlines()[-1] == done.stderr.strip()
    assert files_in(tmp_path) == set()


def test_serve_names_an_unreachable_server_in_one_line(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://icat:pw-s3cret@127.0.0.1:{free_port()}/icat"
    done = _run_in(tmp_path, "serve", "--port", str(free_port()), ICAT_DATABASE_URL=url)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("icat-api: the database postgresql+psycopg://icat:***@127.0.0.1:")
    assert "cannot be reached (" in lines[0]
    assert "pw-s3cret" not in done.stderr
    assert files_in(tmp_path) == set()
