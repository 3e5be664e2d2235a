"""A small client of twin's HTTP API (the simulator's and the benchmarks'): JSON over one
kept-alive connection per thread, a dropped connection reopened once."""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

RETRIED = (http.client.RemoteDisconnected, http.client.BadStatusLine, ConnectionError)
FAILED = (OSError, http.client.HTTPException)  # no answer: what a caller catches


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, JSON body (None when not JSON) and seconds it took."""

    status: int
    body: Any
    seconds: float

    def error(self) -> str:
        """The API's error message, or the status when the body names none."""
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            found = self.body["error"]
            return f"{self.status} {found.get('field')}: {found.get('message')}"
        return f"HTTP {self.status}"


class ApiClient:
    """Requests to one twin server (a base URL such as http://127.0.0.1:8050)."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"{base_url!r}: give an http:// URL of a twin server")
        self.host, self.port = parts.hostname, parts.port or 80
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close this thread's connection (the next request opens another)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Answer:
        """Send one request; a connection the server closed meanwhile is reopened once."""
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json"} if body is not None else {}
        sent |= headers or {}
        for attempt in (1, 2):
            start = time.perf_counter()
            try:
                conn = self._connection()
                conn.request(method, path, data, sent)
                response = conn.getresponse()
                payload = response.read()
            except RETRIED:
                self.close()
                if attempt == 2:
                    raise
                continue
            except FAILED:
                self.close()  # a timed-out connection is mid-request: never reuse it
                raise
            took = time.perf_counter() - start
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return Answer(response.status, _json(payload), took)
        raise AssertionError("unreachable")  # the loop returns or raises

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Answer:
        """POST a JSON body."""
        return self.request("POST", path, body, headers)

    def get(self, path: str) -> Answer:
        """GET a path."""
        return self.request("GET", path)

    def create_case(self, case: dict[str, Any], key: str) -> Answer:
        """POST /api/cases with an idempotency key (a retry makes no second case)."""
        return self.post("/api/cases", case, {"Idempotency-Key": key})

    def act(self, code: str, action: str, body: dict[str, Any]) -> Answer:
        """POST /api/cases/<code>/<action>: a lifecycle action."""
        return self.post(f"/api/cases/{quote(code, safe='')}/{action}", body)


def _json(payload: bytes) -> Any:
    try:
        return json.loads(payload) if payload else None
    except ValueError:
        return None
