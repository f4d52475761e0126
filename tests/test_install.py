"""The package is the program (issue 13, item 1): the wheel, installed as an operator would,
serves from any folder.

The `install` test builds the wheel, installs it into a fresh virtual environment and runs
`icat-api serve` as an unprivileged user in an empty folder, as the Dockerfile does. It takes
a minute and installs the dependencies from the package index, so `make test` skips it
(tests/conftest.py); .ci/run runs it once, with `pytest -m install`, and fails if it fails.
The package-list check below runs everywhere.
"""

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.livesrv import free_port

ROOT = Path(__file__).resolve().parents[1]
# What a build needs from the checkout; the rest (.venv, caches, databases) stays behind.
NOT_BUILT_FROM = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
    "*.db",
    "*.db-*",
    "tests",
    "bench",
)


def _packages_under(folder: Path, prefix: str) -> set[str]:
    return {
        ".".join((prefix, *init.parent.relative_to(folder).parts))
        for init in folder.rglob("__init__.py")
        if "__pycache__" not in init.parts
    }


def test_the_wheel_lists_every_package_and_the_migrations() -> None:
    """pyproject.toml names the packages one by one (the migrations live outside src/): a
    package added under src/ and not listed there would be missing from the wheel."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["package-dir"] == {"": "src", "icat_api.migrations": "migrations"}
    expected = _packages_under(ROOT / "src" / "icat_api", "icat_api") | _packages_under(
        ROOT / "migrations", "icat_api.migrations"
    )
    listed = set(setuptools["packages"])
    assert expected - listed == set(), "add them to [tool.setuptools] packages in pyproject.toml"
    assert listed - expected == set(), "no such package: remove it from pyproject.toml"


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A temporary folder the unprivileged user can read (pytest's tmp_path is root's only)."""
    base = Path(tempfile.mkdtemp(prefix="icat-install-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _run(*args: str | Path, timeout: float = 300) -> str:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, (args, done.stdout[-3000:], done.stderr[-3000:])
    return done.stdout


def _as_unprivileged(user: pwd.struct_passwd) -> list[str]:
    """The prefix that runs a command as ``user`` when the tests run as root (setpriv execs
    the command itself: signals reach it directly)."""
    if os.geteuid() != 0:
        return []
    return [
        "setpriv",
        f"--reuid={user.pw_uid}",
        f"--regid={user.pw_gid}",
        "--clear-groups",
        "--",
    ]


@pytest.mark.install
def test_the_installed_wheel_serves_from_an_empty_folder_as_an_unprivileged_user(
    shared_tmp: Path,
) -> None:
    source, dist, venv, folder = (shared_tmp / n for n in ("source", "dist", "venv", "folder"))
    shutil.copytree(ROOT, source, ignore=NOT_BUILT_FROM)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", dist, source)
    [wheel] = dist.glob("icat_api-*.whl")
    shutil.rmtree(source)  # nothing of the checkout is left to lean on

    _run(sys.executable, "-m", "venv", venv)
    _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, timeout=600)

    user = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    folder.mkdir()
    os.chown(folder, user.pw_uid, user.pw_gid)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": user.pw_dir, "LANG": "C.UTF-8"}
    assert not any(k.startswith("ICAT_") for k in env)  # the default: sqlite:///./icat.db

    # The migrations come from the installed package, not from a checkout.
    where = subprocess.run(
        [
            *_as_unprivileged(user),
            str(venv / "bin" / "python"),
            "-c",
            "from icat_api import migrate; print(migrate.migrations_dir())",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = shared_tmp / "serve.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [*_as_unprivileged(user), str(venv / "bin" / "icat-api"), "serve", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None, f"serve exited: {log_path.read_text()[-3000:]}"
                assert time.monotonic() < deadline, "serve was not ready in 60 s"
                time.sleep(0.2)
            listing = httpx.get(f"{base}/v1/member-list", timeout=5)
            assert listing.status_code == 200, listing.text
            assert len(listing.json()["members"]) == 23
            assert len(listing.json()["partners"]) == 2
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    # uvicorn shuts down on SIGTERM, then re-raises it (exit status -15); older ones exit 0.
    assert proc.returncode in (0, -signal.SIGTERM), log_path.read_text()[-3000:]
    assert "Application shutdown complete." in log_path.read_text()

    left = {p.name for p in folder.iterdir()}
    assert "icat.db" in left
    assert left <= {"icat.db", "icat.db-wal", "icat.db-shm"}, left
    assert (folder / "icat.db").stat().st_uid == user.pw_uid  # made by the server's user
