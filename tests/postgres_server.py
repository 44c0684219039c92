"""A PostgreSQL server of the tests' own: Debian's binaries (`apt-get install -y postgresql`), a
cluster made by initdb in a temporary folder, run by pg_ctl on a free port of 127.0.0.1 with its
socket in that folder, as the unprivileged `postgres` user when the tests run as root (PostgreSQL
refuses to run as root). Nothing here touches a server the machine may already run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

DEBIAN_BINARIES = Path("/usr/lib/postgresql")


class PostgresUnavailable(Exception):
    """PostgreSQL cannot be run here; the message says why in one sentence."""


def find_binaries() -> Path:
    """The folder holding initdb and pg_ctl: Debian's newest version, else the PATH's."""
    versions = sorted(DEBIAN_BINARIES.glob("*/bin/pg_ctl"), key=lambda path: int(path.parent.parent.name))
    if versions:
        return versions[-1].parent
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise PostgresUnavailable("PostgreSQL is not installed (sudo apt-get install -y postgresql)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """One throwaway cluster: `start()`, `stop()` (and start again: the data stays), `url(database)`."""

    def __init__(self, folder: Path) -> None:
        self.bin = find_binaries()
        self.folder = folder
        self.data = folder / "data"
        self.socket_dir = folder / "socket"
        self.port = free_port()
        self.durable = False  # True: fsync and synchronous commits as a real server (benchmarks)
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                raise PostgresUnavailable("running as root without runuser to start PostgreSQL as postgres")
            self._as_user = [runuser, "-u", "postgres", "--"]

    def _run(self, *command: str) -> None:
        try:
            subprocess.run([*self._as_user, *command], check=True, capture_output=True, timeout=120)
        except (OSError, subprocess.SubprocessError) as error:
            output = getattr(error, "stderr", b"") or b""
            raise PostgresUnavailable(f"{Path(command[0]).name} failed: {output.decode(errors='replace')[-400:]}"
                                      or str(error)) from None

    def initialise(self) -> PostgresServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if self._as_user:
            shutil.chown(self.folder, "postgres")
            shutil.chown(self.socket_dir, "postgres")
        # Trust on a loopback port and a private socket folder: a test cluster holds nothing secret.
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        return self

    def start(self) -> None:
        # fsync off for tests: a test cluster need not survive a power cut, and its commits are then quick.
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        else:
            options += " -c shared_buffers=512MB -c maintenance_work_mem=512MB -c max_wal_size=4GB"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                  str(self.folder / "server.log"), "-w", "-t", "60", "start")

    def stop(self) -> None:
        """Stop at once (fast mode: open connections are cut, as when a database goes away)."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        self._run(str(self.bin / "createdb"), "-h", str(self.socket_dir), "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)


def start_server(folder: Path, *, durable: bool = False) -> PostgresServer:
    """A started throwaway server in `folder` (PostgresUnavailable when it cannot be had)."""
    server = PostgresServer(folder).initialise()
    server.durable = durable
    server.start()
    return server
