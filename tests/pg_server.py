"""A throwaway PostgreSQL server on loopback for the shared-database tests.

Debian's ``postgresql`` package (``.ci/run`` installs it) gives ``initdb`` and ``pg_ctl``
under ``/usr/lib/postgresql/N/bin``. The cluster lives in a temporary directory, listens on
127.0.0.1 at a free port, trusts local connections and skips fsync (these tests check what
the verifier acknowledges, not PostgreSQL's own durability). PostgreSQL refuses to run as
root, so as root the server runs as the ``postgres`` user the package creates. ``durable=True``
keeps fsync on (the report bench against PostgreSQL).

Skipped when no server binaries are found, unless ``VERIFIER_REQUIRE_POSTGRES`` is set (CI
sets it), which turns the skip into a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

USER = "verifier"


def _binaries() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    found = candidates[0] if candidates else shutil.which("initdb")
    return Path(found).parent if found else None


def missing() -> str | None:
    """Why the shared-database tests cannot run here, or ``None``."""
    if _binaries() is None:
        return "PostgreSQL server binaries not found (apt-get install postgresql)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'tp-channel-verifier[postgres]')"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a 'postgres' user to run the server as"
    return None


def require() -> None:
    why = missing()
    if why is None:
        return
    if os.environ.get("VERIFIER_REQUIRE_POSTGRES"):
        pytest.fail(f"VERIFIER_REQUIRE_POSTGRES is set but {why}")
    pytest.skip(f"{why}; set VERIFIER_REQUIRE_POSTGRES=1 to fail instead")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One running cluster; :meth:`new_database` gives each test its own empty database."""

    def __init__(self, *, durable: bool = False) -> None:
        bindir = _binaries()
        assert bindir is not None
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="verifier-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            self._as_user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync", "--no-locale")
        self._options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        if not durable:  # tests: what the verifier acknowledges, not PostgreSQL's own durability
            self._options += " -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", self._options, "-l", str(self.root / "log"), "-w", "-t", "60", "start")
        self._count = 0

    def restart(self) -> None:
        """Stop (dropping every connection) and start again on the same port and data."""
        self._run("pg_ctl", "-D", str(self.data), "-o", self._options, "-l", str(self.root / "log"),
                  "-m", "fast", "-w", "-t", "60", "restart")

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run([*self._as_user, str(self.bindir / tool), *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stdout[-1500:]}{done.stderr[-1500:]}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg

        self._count += 1
        name = f"t{os.getpid()}_{self._count}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
