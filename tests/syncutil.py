"""Anki's own sync server as a subprocess, and a client that syncs like the desktop app does.

The server is ``python -m anki.syncserver`` from the real ``anki`` package, bound to a free
port on 127.0.0.1 only, with its data in a temporary folder. ``running_sync_server``
starts it (a test module wraps it in a session fixture) and stops it by its process id
(terminate, then kill) on exit. It has one account, so two tests must not share a server.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from anki.collection import Collection
from anki.sync_pb2 import SyncCollectionResponse, SyncStatusResponse

HOST = "127.0.0.1"
USER, PASSWORD = "user", "pass"
START_TIMEOUT = 30.0  # seconds; the server answers within about a second here
STOP_TIMEOUT = 10.0

Required = SyncCollectionResponse.ChangesRequired
FULL_KINDS = {Required.FULL_SYNC, Required.FULL_UPLOAD, Required.FULL_DOWNLOAD}


@dataclass(frozen=True)
class SyncServer:
    """A running sync server: where to reach it and how to log in."""

    endpoint: str
    username: str
    password: str
    pid: int
    log: Path


@dataclass(frozen=True)
class SyncResult:
    """What one sync did.

    ``status`` is what the client said before syncing ("no_changes", "normal_sync",
    "full_sync"); ``kind`` is what actually happened: "normal" (an incremental sync, which
    also covers "nothing to send"), "full_upload" or "full_download".
    """

    status: str
    kind: str


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1.0) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def running_sync_server(base: Path) -> Iterator[SyncServer]:
    """Start ``anki.syncserver`` with its data in ``base``; stop it by pid on exit."""
    base.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = dict(os.environ)
    env.update(
        SYNC_USER1=f"{USER}:{PASSWORD}",
        SYNC_BASE=str(base / "data"),
        SYNC_HOST=HOST,
        SYNC_PORT=str(port),
        RUST_LOG="anki=info",
    )
    log = base / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "anki.syncserver"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    endpoint = f"http://{HOST}:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        # The server has no readiness signal besides answering; /health returns 200.
        while not _answers(f"{endpoint}health"):
            if proc.poll() is not None or time.monotonic() > deadline:
                text = log.read_text(errors="replace")
                raise RuntimeError(f"anki.syncserver did not start on {endpoint}:\n{text}")
            time.sleep(0.1)
        yield SyncServer(endpoint, USER, PASSWORD, proc.pid, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)


def sync(col: Collection, server: SyncServer) -> SyncResult:
    """Sync ``col`` the way Anki's desktop app does, doing a full upload/download if asked.

    A full sync in both directions ("full_sync": both sides changed their schema) is never
    expected in these tests, so it raises instead of silently picking a side.
    """
    auth = col.sync_login(server.username, server.password, server.endpoint)
    status = SyncStatusResponse.Required.Name(col.sync_status(auth).required).lower()
    out = col.sync_collection(auth, sync_media=False)
    if out.required == Required.FULL_SYNC:
        raise AssertionError("the server asks for a full sync: one side's schema changed")
    if out.required in FULL_KINDS:
        upload = out.required == Required.FULL_UPLOAD
        # The backend replaces the collection file, so the Python side lets go of it first.
        col.close_for_full_sync()
        col.full_upload_or_download(auth=auth, server_usn=None, upload=upload)
        col.reopen(after_full_sync=True)
        return SyncResult(status, "full_upload" if upload else "full_download")
    return SyncResult(status, "normal")


def sync_media(col: Collection, server: SyncServer, timeout: float = 30.0) -> str:
    """Sync ``col``'s media folder with the server, as the desktop app does after a normal
    sync, and wait for it to end; returns the last progress Anki reported."""
    auth = col.sync_login(server.username, server.password, server.endpoint)
    col.sync_media(auth)
    deadline = time.monotonic() + timeout
    while True:
        status = col.media_sync_status()  # raises if the media sync failed
        if not status.active:
            progress = status.progress
            return f"{progress.checked}; {progress.added}; {progress.removed}"
        if time.monotonic() > deadline:
            col.abort_media_sync()
            raise AssertionError("the media sync did not end")
        time.sleep(0.05)
