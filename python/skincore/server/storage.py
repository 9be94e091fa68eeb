"""Persistent state: API keys, uploaded files, tasks and widget sessions.

SQLite in WAL mode inside the data directory by default; PostgreSQL when a
``postgresql://`` URL is given (``psycopg`` 3). SQL is written once with ``?``
placeholders and portable types; the PostgreSQL backend rewrites the placeholders.
One connection per store, guarded by a lock: statements are short and the
analysis, not the database, is the bottleneck.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS api_keys (
        key_hash TEXT PRIMARY KEY,
        created DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS files (
        file_id TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL,
        version TEXT NOT NULL,
        content_type TEXT NOT NULL,
        file_name TEXT NOT NULL,
        file_size BIGINT NOT NULL,
        uploaded INTEGER NOT NULL DEFAULT 0,
        created DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tasks (
        task_id TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL,
        version TEXT NOT NULL,
        status TEXT NOT NULL,
        request TEXT NOT NULL,
        result TEXT,
        error TEXT,
        created DOUBLE PRECISION NOT NULL,
        updated DOUBLE PRECISION NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS tasks_status ON tasks (status)",
    """CREATE TABLE IF NOT EXISTS widget_sessions (
        session_id TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL,
        params TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL)""",
)


class Store:
    """Typed access to the service's tables over one DB-API connection.

    Parameters
    ----------
    data_dir : Path
        Where ``skincore.db`` lives (SQLite).
    database_url : str, optional
        ``postgresql://...``: use PostgreSQL instead.
    """

    def __init__(self, data_dir: Path, database_url: str | None = None) -> None:
        self._lock = threading.Lock()
        self.backend = "sqlite"
        if database_url:
            if not database_url.startswith(("postgresql://", "postgres://")):
                raise ValueError("database_url must be a postgresql:// URL")
            import psycopg

            self._conn: Any = psycopg.connect(database_url, autocommit=True)
            self.backend = "postgresql"
        else:
            data_dir.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                data_dir / "skincore.db", check_same_thread=False, isolation_level=None
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=5000")
            self._conn = conn
        for stmt in SCHEMA:
            self._exec(stmt)

    # -- low level -----------------------------------------------------------
    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.backend == "postgresql" else sql

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self._lock:
            cur = self._conn.cursor()
            try:
                yield cur
            finally:
                cur.close()

    def _exec(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        with self._cursor() as cur:
            cur.execute(self._sql(sql), params)
            return cur.rowcount

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        with self._cursor() as cur:
            cur.execute(self._sql(sql), params)
            return cur.fetchone()

    def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._cursor() as cur:
            cur.execute(self._sql(sql), params)
            return list(cur.fetchall())

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    # -- keys ------------------------------------------------------------------
    def add_key(self, key_hash: str) -> None:
        """Store a new API key's hash."""
        self._exec(
            "INSERT INTO api_keys (key_hash, created) VALUES (?, ?)", (key_hash, time.time())
        )

    def has_key(self, key_hash: str) -> bool:
        """Whether an API key hash is known."""
        return self._one("SELECT 1 FROM api_keys WHERE key_hash = ?", (key_hash,)) is not None

    # -- files -----------------------------------------------------------------
    def add_file(
        self, file_id: str, key_hash: str, version: str, content_type: str, name: str, size: int
    ) -> None:
        """Register a file announced through the File API (not uploaded yet)."""
        self._exec(
            "INSERT INTO files (file_id, key_hash, version, content_type, file_name, file_size,"
            " uploaded, created) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
            (file_id, key_hash, version, content_type, name, size, time.time()),
        )

    def get_file(self, file_id: str) -> dict[str, Any] | None:
        """Return a file's row as a dict, or None."""
        row = self._one(
            "SELECT file_id, key_hash, version, content_type, file_name, file_size, uploaded,"
            " created FROM files WHERE file_id = ?",
            (file_id,),
        )
        if row is None:
            return None
        keys = ("file_id", "key_hash", "version", "content_type", "file_name", "file_size")
        out = dict(zip(keys, row[:6], strict=True))
        out["uploaded"] = bool(row[6])
        out["created"] = float(row[7])
        return out

    def mark_uploaded(self, file_id: str, size: int) -> None:
        """Record that a file's bytes arrived."""
        self._exec(
            "UPDATE files SET uploaded = 1, file_size = ? WHERE file_id = ?", (size, file_id)
        )

    # -- tasks -----------------------------------------------------------------
    def add_task(self, task_id: str, key_hash: str, version: str, request: dict[str, Any]) -> None:
        """Persist an accepted task (status ``running``) before answering the client."""
        now = time.time()
        self._exec(
            "INSERT INTO tasks (task_id, key_hash, version, status, request, created, updated)"
            " VALUES (?, ?, ?, 'running', ?, ?, ?)",
            (task_id, key_hash, version, json.dumps(request), now, now),
        )

    def finish_task(
        self, task_id: str, *, result: dict[str, Any] | None = None, error: dict[str, Any] | None
    ) -> None:
        """Store a task's outcome (``success`` with a result, or ``error``)."""
        status = "error" if error is not None else "success"
        self._exec(
            "UPDATE tasks SET status = ?, result = ?, error = ?, updated = ? WHERE task_id = ?",
            (
                status,
                None if result is None else json.dumps(result),
                None if error is None else json.dumps(error),
                time.time(),
                task_id,
            ),
        )

    def get_task(self, task_id: str) -> dict[str, Any] | None:
        """Return a task as a dict (request/result/error decoded), or None."""
        row = self._one(
            "SELECT task_id, key_hash, version, status, request, result, error, created, updated"
            " FROM tasks WHERE task_id = ?",
            (task_id,),
        )
        if row is None:
            return None
        return {
            "task_id": row[0],
            "key_hash": row[1],
            "version": row[2],
            "status": row[3],
            "request": json.loads(row[4]),
            "result": None if row[5] is None else json.loads(row[5]),
            "error": None if row[6] is None else json.loads(row[6]),
            "created": float(row[7]),
            "updated": float(row[8]),
        }

    def unfinished_tasks(self) -> list[str]:
        """Ids of accepted tasks without an outcome (to resume after a restart), oldest first."""
        rows = self._all("SELECT task_id FROM tasks WHERE status = 'running' ORDER BY created")
        return [r[0] for r in rows]

    # -- widget ----------------------------------------------------------------
    def add_widget_session(self, session_id: str, key_hash: str, params: dict[str, Any]) -> None:
        """Store a widget session made by set-parameters."""
        self._exec(
            "INSERT INTO widget_sessions (session_id, key_hash, params, created)"
            " VALUES (?, ?, ?, ?)",
            (session_id, key_hash, json.dumps(params), time.time()),
        )

    def get_widget_session(self, session_id: str) -> dict[str, Any] | None:
        """Return a widget session's parameters and owner, or None."""
        row = self._one(
            "SELECT key_hash, params, created FROM widget_sessions WHERE session_id = ?",
            (session_id,),
        )
        if row is None:
            return None
        return {"key_hash": row[0], "params": json.loads(row[1]), "created": float(row[2])}

    # -- retention -------------------------------------------------------------
    def expire(self, before: float) -> tuple[list[str], list[str], list[str]]:
        """Delete files, finished tasks and widget sessions created before ``before``.

        Returns
        -------
        tuple of list of str
            The deleted file ids, task ids and widget session ids (their data on
            disk is removed by the caller).
        """
        files = [r[0] for r in self._all("SELECT file_id FROM files WHERE created < ?", (before,))]
        tasks = [
            r[0]
            for r in self._all(
                "SELECT task_id FROM tasks WHERE created < ? AND status <> 'running'", (before,)
            )
        ]
        sessions = [
            r[0]
            for r in self._all(
                "SELECT session_id FROM widget_sessions WHERE created < ?", (before,)
            )
        ]
        self._exec("DELETE FROM files WHERE created < ?", (before,))
        self._exec("DELETE FROM tasks WHERE created < ? AND status <> 'running'", (before,))
        self._exec("DELETE FROM widget_sessions WHERE created < ?", (before,))
        return files, tasks, sessions


def open_store(data_dir: Path, database_url: str | None = None) -> Store:
    """Open (and create if needed) the service's store."""
    return Store(Path(data_dir), database_url)
