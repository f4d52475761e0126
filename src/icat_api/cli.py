"""`icat-api`: serve, migrate, seed, manage keys, export the OpenAPI document."""

import json
import traceback
from pathlib import Path
from typing import Annotated, Any

import structlog
import typer
from alembic.util import CommandError
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from typer.core import TyperGroup

import icat_api.models  # noqa: F401  (every table, for foreign keys across packages)
from icat_api import dbcheck
from icat_api.db import make_engine, make_sessionmaker
from icat_api.settings import get_settings


def _settings_error(error: ValidationError) -> str:
    problems = "; ".join(
        f"ICAT_{'_'.join(str(part) for part in e['loc']).upper()}: {e['msg']}"
        for e in error.errors()
    )
    return f"invalid settings: {problems}"


def _error_line(error: Exception) -> str:
    """What went wrong, on one line, for an operator: never a password, never a traceback."""
    if isinstance(error, dbcheck.DatabaseNotReady):
        return str(error)
    if isinstance(error, ValidationError) and error.title == "Settings":
        return _settings_error(error)
    if isinstance(error, DBAPIError):
        return dbcheck.explain(get_settings().database_url, error)
    if isinstance(error, CommandError):  # Alembic's: an unknown revision, say
        return dbcheck.one_line(str(error))
    detail = dbcheck.one_line(f"{type(error).__name__}: {error}")
    return f"unexpected error: {detail} (`icat-api --debug ...` shows where)"


class _Cli(TyperGroup):
    """Any error of any command ends in one line on stderr and exit status 1; with --debug
    the traceback comes first."""

    def invoke(self, ctx: Any) -> Any:  # typer's own click Context (typer._click, private)
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # usage errors, --help, explicit exits: typer shows them as usual
        except Exception as error:
            if ctx.params.get("debug"):
                traceback.print_exc()
            typer.echo(f"icat-api: {_error_line(error)}", err=True)
            raise typer.Exit(1) from error


app = typer.Typer(
    cls=_Cli, help="The ICAT registry API.", no_args_is_help=True, add_completion=False
)
db_app = typer.Typer(
    help="The database: migrations (Alembic), dump and restore.", no_args_is_help=True
)
keys_app = typer.Typer(
    help="API keys: shown once at creation, stored as a hash.", no_args_is_help=True
)
openapi_app = typer.Typer(help="The committed OpenAPI document.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(openapi_app, name="openapi")

OPENAPI_PATH = Path("openapi/openapi.json")


@app.callback()
def _options(
    debug: Annotated[
        bool, typer.Option("--debug", help="On an error, print its traceback too.")
    ] = False,
) -> None:
    """The ICAT registry API."""


def _ready_database(*, at_head: bool = True) -> str:
    """The configured database's URL, once it is known to exist, answer and be migrated
    (at head; at a known revision when ``at_head`` is false); else one line says what to do."""
    url = get_settings().database_url
    dbcheck.require(url, at_head=at_head)
    return url


def _seed_if_empty() -> int:
    from icat_api.seed.loader import is_empty, seed

    engine = make_engine(get_settings().database_url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            return seed(session).total if is_empty(session) else 0
    finally:
        engine.dispose()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Upgrade the database to the latest schema, seed it if empty, and serve the API."""
    import uvicorn

    from icat_api import migrate
    from icat_api.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    # Replicas started together take turns: the first migrates and seeds, the others find the
    # database at head and seeded.
    with migrate.exclusive(settings.database_url):
        migrate.upgrade(settings.database_url)
        added = _seed_if_empty() if settings.seed_on_empty else 0
    if added:
        structlog.get_logger("icat_api.cli").info("seeded_real_data", records=added)
    if settings.metrics_enabled:  # every worker writes its counts where any can read them all
        from icat_api.observability import multiproc

        multiproc.prepare(workers)
    # Each worker is a new process that builds the app itself (create_served_app), from the
    # same environment: the same settings, and logging configured as here.
    uvicorn.run(
        "icat_api.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        # uvicorn would believe X-Forwarded-For from 127.0.0.1 (or $FORWARDED_ALLOW_IPS):
        # the app decides alone, from ICAT_FORWARDED_ALLOW_IPS (icat_api.forwarded).
        proxy_headers=False,
        server_header=False,
    )


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Upgrade the database (empty or old) to REVISION, the latest by default."""
    from icat_api import migrate

    migrate.upgrade(get_settings().database_url, revision)


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, or 'base'.")],
) -> None:
    """Downgrade the database to REVISION ('base' empties it)."""
    from icat_api import migrate

    migrate.downgrade(_ready_database(at_head=False), revision)


@db_app.command("dump")
def db_dump(
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", help="The file to write (compressed if it ends .gz), - for stdout."
        ),
    ],
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUTPUT if it exists.")] = False,
) -> None:
    """Write every table of the registry to OUTPUT as versioned JSON lines (icat_api.dump)."""
    import sys

    from icat_api import dump

    try:
        done = dump.dump_to(_ready_database(), output, force=force, progress=sys.stderr.isatty())
    except dump.DumpError as exc:
        typer.echo(f"icat-api: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Dumped {done.total} rows of {len(done.rows)} tables to {output}.", err=True)


@db_app.command("restore")
def db_restore(
    file: Annotated[str, typer.Argument(help="A dump written by `db dump`, or - for stdin.")],
) -> None:
    """Load FILE into an empty database migrated to the dump's revision, in one transaction."""
    import sys

    from icat_api import dump

    try:
        done = dump.restore_from(_ready_database(), file, progress=sys.stderr.isatty())
    except dump.DumpError as exc:
        typer.echo(f"icat-api: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Restored {done.total} rows of {len(done.rows)} tables from {file}.")


@app.command("seed")
def seed_command() -> None:
    """Load the real ICAT data; records already there are left as they are."""
    from icat_api.seed.loader import seed

    engine = make_engine(_ready_database())
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            report = seed(session)
    finally:
        engine.dispose()
    typer.echo(
        f"entities +{report.entities}, memberships +{report.memberships}, "
        f"enrolments +{report.enrolments}, chair terms +{report.chair_terms}, "
        f"meetings +{report.meetings}, decisions +{report.decisions}, "
        f"products +{report.products}, funding +{report.funding}"
    )


@keys_app.command("create")
def keys_create(
    entity: Annotated[
        str | None, typer.Option("--entity", help="The entity the key acts for.")
    ] = None,
    secretariat: Annotated[
        bool, typer.Option(help="A secretariat key not tied to an entity.")
    ] = False,
    label: Annotated[str | None, typer.Option(help="A note on who holds the key.")] = None,
) -> None:
    """Create a key; the key itself is printed alone on the last line, once."""
    from icat_api.keys.service import create_key
    from icat_api.problems import ProblemError

    if (entity is None) == (not secretariat):
        typer.echo("Give --entity ENTITY_ID, or --secretariat.", err=True)
        raise typer.Exit(2)
    engine = make_engine(_ready_database())
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            info, key = create_key(
                session=session, entity_id=entity, secretariat=secretariat, label=label
            )
    except ProblemError as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    owner = info.entity_id or "secretariat"
    typer.echo(f"Created key {info.id} for {owner}. Store it now: it is not shown again.")
    typer.echo(key)


@keys_app.command("list")
def keys_list() -> None:
    """List keys (never the keys themselves)."""
    from icat_api.keys.service import list_keys

    engine = make_engine(_ready_database())
    try:
        with make_sessionmaker(engine)() as session:
            rows = list_keys(session=session)
    finally:
        engine.dispose()
    typer.echo("id\tentity\tsecretariat\tcreated_at\trevoked_at\tlabel")
    for k in rows:
        typer.echo(
            f"{k.id}\t{k.entity_id or '-'}\t{'yes' if k.secretariat else 'no'}\t"
            f"{k.created_at.isoformat()}\t{k.revoked_at.isoformat() if k.revoked_at else '-'}\t"
            f"{k.label or ''}"
        )


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[int, typer.Argument(help="The key's id (see `keys list`).")],
) -> None:
    """Revoke a key: it stops working at once."""
    from icat_api.keys.service import revoke_key
    from icat_api.problems import ProblemError

    engine = make_engine(_ready_database())
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            info = revoke_key(session=session, key_id=key_id)
    except ProblemError as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    assert info.revoked_at is not None
    typer.echo(f"Revoked key {info.id} at {info.revoked_at.isoformat()}.")


def render_openapi() -> str:
    """The document the app serves, as committed: sorted keys, two-space indent."""
    from icat_api.app import create_app
    from icat_api.settings import Settings

    document = create_app(Settings(database_url="sqlite://")).openapi()
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@openapi_app.command("export")
def openapi_export(
    check: Annotated[bool, typer.Option(help="Fail if the committed file differs.")] = False,
    path: Annotated[Path, typer.Option(help="Where the document lives.")] = OPENAPI_PATH,
) -> None:
    """Write openapi/openapi.json, or with --check fail when it differs from what the app serves."""
    rendered = render_openapi()
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != rendered:
            typer.echo(
                f"{path} differs from the app's document: run `icat-api openapi export`.", err=True
            )
            raise typer.Exit(1)
        typer.echo(f"{path} is up to date.")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(rendered, encoding="utf-8")
    typer.echo(f"Wrote {path}.")


def main() -> None:
    app(prog_name="icat-api")


if __name__ == "__main__":
    main()
