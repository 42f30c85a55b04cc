"""A PostgreSQL cluster of a test's own: initdb in a fresh directory, served on a free port,
stopped and started at will, removed at the end. Never the shared server.

PostgreSQL refuses to run as root: as root, the cluster runs as the ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.servers import free_port

__all__ = ["Postgres", "own_postgres"]

TIMEOUT = 60.0


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


@dataclass
class Postgres:
    bin_dir: Path
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*prefix, *command],
            check=True,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT,
        )

    def start(self) -> None:
        """Start, and return once it accepts connections."""
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.data / "server.log")
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data / "db"), "-o", options,
                  "-l", log, "-w", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop (``immediate``: as a crash would, without closing connections cleanly)."""
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data / "db"), "-m", mode,
                  "-w", "stop")  # fmt: skip


@contextmanager
def own_postgres() -> Iterator[Postgres]:
    """A fresh cluster (user ``postgres``, trust authentication), running, removed on exit."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL's server binaries are not installed (/usr/lib/postgresql)")
    # Under /tmp rather than pytest's tmp_path: the postgres user must be able to reach it.
    data = Path(tempfile.mkdtemp(prefix="typedws-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    server = Postgres(bin_dir, data, free_port())
    try:
        server._run(str(bin_dir / "initdb"), "-D", str(data / "db"), "-U", "postgres",
                    "--auth=trust", "--no-sync")  # fmt: skip
        server.start()
        try:
            yield server
        finally:
            subprocess.run(
                [*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []),
                 str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop"],
                capture_output=True, timeout=TIMEOUT, check=False,
            )  # fmt: skip
    finally:
        shutil.rmtree(data, ignore_errors=True)
