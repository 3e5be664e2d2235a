"""The embedded PostgreSQL+PostGIS cluster twin creates, starts and owns."""

from __future__ import annotations

import fcntl
import glob
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

SUPERUSER = "twin"
DATABASE = "twin"
CREDENTIALS = "twin-cluster.json"

# Tuned for a demo/dev machine: bulk loads of millions of points, a handful of clients.
SERVER_CONF = """
# twin embedded cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
shared_buffers = 512MB
work_mem = 64MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
checkpoint_timeout = 15min
synchronous_commit = off
jit = off
"""


class ClusterError(RuntimeError):
    """The embedded cluster cannot be created, started or reached."""


@dataclass(frozen=True)
class Running:
    """Where a running embedded cluster listens."""

    pid: int
    port: int
    url: str


def bin_dir() -> Path:
    """The directory of the newest installed PostgreSQL server binaries."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return Path(pg_ctl).resolve().parent
    raise ClusterError(
        "PostgreSQL server binaries not found: install them with "
        "`apt-get install postgresql-15-postgis-3` (or set TWIN_DATABASE_URL)"
    )


def check_postgis(bindir: Path) -> None:
    """Fail with the package to install when PostGIS is missing for these binaries."""
    version = bindir.parent.name
    share = Path(f"/usr/share/postgresql/{version}/extension")
    if not list(share.glob("postgis.control")):
        raise ClusterError(
            f"PostGIS is not installed for PostgreSQL {version}: "
            f"run `apt-get install postgresql-{version}-postgis-3`"
        )


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether nothing listens on that loopback port now (connections the server closed
    linger in TIME_WAIT; PostgreSQL binds past them, and so does this test)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class Cluster:
    """A private cluster under one data directory; a second process finds it running."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata.absolute()
        self.as_root = os.geteuid() == 0

    # -- running commands as the owner of the data directory --------------------------------
    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = ["runuser", "-u", "postgres", "--", *args] if self.as_root else list(args)
        return subprocess.run(cmd, capture_output=True, text=True, check=False)

    def _chown(self, path: Path) -> None:
        if self.as_root:
            shutil.chown(path, "postgres", "postgres")

    @contextmanager
    def _lock(self) -> Iterator[None]:
        # Two `twin` processes starting together must not both initdb or start a server.
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        with open(self.pgdata.parent / f".{self.pgdata.name}.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- state --------------------------------------------------------------------------------
    @property
    def initialised(self) -> bool:
        """Whether initdb has run here."""
        return (self.pgdata / "PG_VERSION").exists()

    def _password(self) -> str:
        return str(json.loads((self.pgdata / CREDENTIALS).read_text())["password"])

    def _port(self) -> int:
        """The port this cluster listened on before, so a restart keeps every URL and pool
        pointing at it; a new one only when something else took it meanwhile."""
        creds = self.pgdata / CREDENTIALS
        saved = json.loads(creds.read_text())
        port = saved.get("port")
        if not isinstance(port, int) or not port_is_free(port):
            port = saved["port"] = free_port()
            creds.write_text(json.dumps(saved))
        return port

    def _url(self, port: int, dbname: str = DATABASE) -> str:
        return f"postgresql://{SUPERUSER}:{self._password()}@127.0.0.1:{port}/{dbname}"

    def status(self) -> Running | None:
        """The running server of this data directory, or None."""
        pidfile = self.pgdata / "postmaster.pid"
        try:
            lines = pidfile.read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            return None
        if len(lines) < 4:
            return None
        pid, port = int(lines[0]), int(lines[3])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass  # alive, owned by another user
        return Running(pid=pid, port=port, url=self._url(port))

    # -- lifecycle ----------------------------------------------------------------------------
    def _initdb(self, bindir: Path) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self._chown(self.pgdata)
        if self.as_root and self._run("test", "-w", str(self.pgdata)).returncode != 0:
            raise ClusterError(
                f"the postgres user cannot reach {self.pgdata}: every parent directory must be "
                "traversable by it (chmod o+x), or set TWIN_PGDATA to a directory that is"
            )
        password = secrets.token_urlsafe(24)
        with tempfile.TemporaryDirectory() as tmp:
            pwfile = Path(tmp) / "pw"
            pwfile.write_text(password + "\n")
            if self.as_root:
                os.chmod(tmp, 0o755)
                self._chown(pwfile)
            done = self._run(
                str(bindir / "initdb"),
                "-D",
                str(self.pgdata),
                "-U",
                SUPERUSER,
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                "--no-locale",
            )
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()
            raise ClusterError(f"initdb failed in {self.pgdata}:\n{output}")
        with open(self.pgdata / "postgresql.conf", "a") as conf:
            conf.write(SERVER_CONF)
        creds = self.pgdata / CREDENTIALS
        creds.write_text(json.dumps({"user": SUPERUSER, "password": password}))
        os.chmod(creds, 0o600)

    def start(self) -> Running:
        """Create the cluster if needed, start it if it is not running, return where it is."""
        with self._lock():
            running = self.status()
            if running:
                return running
            bindir = bin_dir()
            check_postgis(bindir)
            if not self.initialised:
                self._initdb(bindir)
            port = self._port()
            logfile = self.pgdata / "server.log"
            done = self._run(
                str(bindir / "pg_ctl"),
                "-D",
                str(self.pgdata),
                "-l",
                str(logfile),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {port}",
                "start",
            )
            if done.returncode != 0:
                tail = logfile.read_text()[-2000:] if logfile.exists() else ""
                raise ClusterError(f"the embedded PostgreSQL did not start:\n{done.stderr}{tail}")
            self._create_database(port)
            running = self.status()
            if running is None:
                raise ClusterError(
                    f"PostgreSQL started but left no postmaster.pid in {self.pgdata}"
                )
            return running

    def _create_database(self, port: int) -> None:
        with psycopg.connect(self._url(port, "postgres"), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
            if exists.fetchone() is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))

    def stop(self) -> bool:
        """Stop the server if it runs; True when it was running."""
        with self._lock():
            if self.status() is None:
                return False
            done = self._run(
                str(bin_dir() / "pg_ctl"), "-D", str(self.pgdata), "-w", "-m", "fast", "stop"
            )
            if done.returncode != 0:
                raise ClusterError(f"pg_ctl stop failed: {done.stderr.strip()}")
            deadline = time.monotonic() + 10
            while self.status() is not None and time.monotonic() < deadline:
                time.sleep(0.05)
            return True
