"""A real site for multi-process tests: a migrated database served by gunicorn.

`prepare_site` builds the database (real migrations, seeded categories, test users and
one article): a SQLite file, or a fresh PostgreSQL database when BLOG_TEST_DATABASE_URL
is set (`Site.drop()` removes it); `Gunicorn` serves it on 127.0.0.1 and always stops
in the end; `Browser` is a small cookie-keeping HTTP client that logs in through the
real form (CSRF on) and posts comments the way a reader's browser does. For faults on
several servers: `RedisServer` (a redis-server of its own, to pause with SIGSTOP) and
`TcpProxy` (a relay to the database that can be cut, as a restart or a partition would).
"""

import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from flask_migrate import upgrade

from blog import create_app
from blog.core.settings import save_settings
from blog.extensions import db
from blog.models import Role
from tests import factories
from tests.conftest import create_pg_database, drop_pg_database, on_postgresql, pg_url

ROOT = Path(__file__).resolve().parents[1]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
STARTED = re.compile(r'name="started" value="([^"]+)"')
ARTICLE_SLUG = "under-load"


def stop_group(process: subprocess.Popen, sig: int) -> None:
    """Stop a server started in its own process group: `sig`, then SIGKILL after 10 s."""
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Site:
    folder: Path
    db: Path
    instance: Path
    secret: str
    usernames: list[str]
    article_id: int
    env: dict = field(default_factory=dict)
    uri: str = ""
    pg_database: str | None = None

    def drop(self) -> None:
        """Remove the PostgreSQL database of the site (a SQLite file goes with tmp_path)."""
        if self.pg_database:
            drop_pg_database(self.pg_database)
            self.pg_database = None


def prepare_site(folder: Path, readers: int = 8) -> Site:
    """A migrated database with `readers` users, one open article, comments open to all."""
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "blog.sqlite3"
    instance = folder / "instance"
    secret = secrets.token_urlsafe(48)
    pg_database = create_pg_database("live") if on_postgresql() else None
    uri = pg_url(pg_database) if pg_database else f"sqlite:///{db_path}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": secret, "TESTING": True})
    with app.app_context():
        from blog.core.seed import seed_defaults

        upgrade()
        seed_defaults()
        users = [
            factories.make_user(Role.READER, username=f"loadtester{i}") for i in range(readers)
        ]
        article = factories.make_article("Under load", slug=ARTICLE_SLUG)
        save_settings({"comment_policy": "open",
                       "second_factor_from": factories.TEST_SECOND_FACTOR_POLICY})  # fmt: skip
        db.session.commit()
        site = Site(folder, db_path, instance, secret, [u.username for u in users], article.id)
        site.uri, site.pg_database = uri, pg_database
        db.session.remove()
        db.engine.dispose()
    site.env = {
        **os.environ,
        "BLOG_INSTANCE_PATH": str(instance),
        "BLOG_SECRET_KEY": secret,
        "DATABASE_URL": uri,
        "BLOG_COMMENT_MIN_SECONDS": "0",
        "BLOG_COMMENT_MAX_PER_MINUTE": "100000",
    }
    return site


class Gunicorn:
    """gunicorn serving `app` (default `wsgi:app`) with `env`, sync workers, its log in
    `folder`; `options` are more gunicorn arguments (bench/servers.py adds a log level).

    Use as a context manager: it waits until `ready` (default /healthz) answers 200, and
    always stops.
    """

    def __init__(
        self,
        env: dict,
        folder: Path,
        workers: int = 4,
        port: int | None = None,
        *,
        app: str = "wsgi:app",
        ready: str = "/healthz",
        options: tuple[str, ...] = (),
    ):
        self.env = env
        self.workers = workers
        self.port = port or free_port()
        self.log = folder / f"gunicorn-{self.port}.log"
        self.app, self.ready, self.options = app, ready, options
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Gunicorn":
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                    "--bind", f"127.0.0.1:{self.port}", "--timeout", "60",
                    "--chdir", str(ROOT), *self.options, self.app,
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                if Browser(self.port).request("GET", self.ready)[0] == 200:
                    return self
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.__exit__()
                raise RuntimeError("gunicorn did not start:\n" + self.log.read_text()[-3000:])
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        return [int(p) for p in out.stdout.split()]

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            stop_group(self.process, signal.SIGTERM)


class Worker:
    """`blog worker` (the job queue) running with `env`, its log in `folder`; always stops."""

    def __init__(self, env: dict, folder: Path, poll: float = 0.2):
        self.env = env
        self.poll = poll
        self.log = folder / "worker.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Worker":
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from blog.cli import main; main()",
                 "worker", "--poll", str(self.poll)],
                env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        return self

    def kill(self) -> None:
        """SIGKILL, as an out-of-memory killer or a power cut would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


class Browser:
    """A minimal cookie-keeping HTTP client that does not follow redirects; `host` is the
    Host header to send (as nginx's `proxy_set_header Host $host`), default the address."""

    def __init__(self, port: int, timeout: float = 30, host: str | None = None):
        self.port = port
        self.timeout = timeout
        self.host = host
        self.cookies: dict[str, str] = {}
        self.form: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Host": self.host} if self.host else {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, response.headers, text
        finally:
            conn.close()

    @staticmethod
    def csrf_token(html: str) -> str:
        match = CSRF.search(html)
        assert match, "no CSRF token on the page"
        return match.group(1) or match.group(2)

    def log_in(self, username: str, password: str = factories.PASSWORD) -> None:
        """Log in through the real form (CSRF token included); the cookies are kept."""
        _, _, html = self.request("GET", "/auth/login")
        status, _, _ = self.request(
            "POST",
            "/auth/login",
            {"login": username, "password": password, "csrf_token": self.csrf_token(html)},
        )
        assert status in (302, 303), f"login of {username} answered {status}"

    def login_for_comments(self, username: str) -> None:
        """Log in through the real form and keep the comment form's hidden fields."""
        self.log_in(username)
        status, _, html = self.request("GET", f"/article/{ARTICLE_SLUG}")
        assert status == 200 and 'name="body"' in html, "no comment form for a logged-in reader"
        self.form = {"csrf_token": self.csrf_token(html), "started": STARTED.search(html).group(1)}

    def post_comment(self, body: str) -> tuple[int, str]:
        """POST one comment; returns the status and the Location header."""
        status, headers, _ = self.request(
            "POST", f"/article/{ARTICLE_SLUG}/comments", {**self.form, "body": body, "website": ""}
        )
        return status, headers.get("Location", "")


class RedisServer:
    """A redis-server of its own (no persistence) on 127.0.0.1, its files in `folder`.

    Use as a context manager: it waits until Redis answers a PING, and always stops
    (after a SIGCONT, should a test have left it paused).
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = folder / "redis.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "RedisServer":
        import redis

        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                "--appendonly", "no", "--dir", str(self.folder), "--logfile", str(self.log),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 15
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return self
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    text = self.log.read_text() if self.log.exists() else ""
                    raise RuntimeError(f"redis-server did not start:\n{text[-2000:]}") from None
                time.sleep(0.05)

    def pause(self) -> None:
        """SIGSTOP: connections are still accepted, nothing answers (a hung server)."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.resume()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


class TcpProxy:
    """A TCP relay from a port of its own on 127.0.0.1 to `host`:`port` (a database).

    `cut()` drops every relayed connection and refuses new ones, which is what clients
    see while the server restarts or the network between is down; `restore()` listens
    on the same port again. A context manager: listening inside the block.
    """

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.links: set[socket.socket] = set()
        self.lock = threading.Lock()

    def __enter__(self) -> "TcpProxy":
        self.restore()
        return self

    def __exit__(self, *exc) -> None:
        self.cut()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.settimeout(0.05)  # so the accept loop notices a cut
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.close()
        with self.lock:
            links, self.links = self.links, set()
        for link in links:
            with contextlib.suppress(OSError):
                link.shutdown(socket.SHUT_RDWR)
            link.close()

    def _accept(self, listener: socket.socket) -> None:
        while self.listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                if self.listener is not listener:  # cut while connecting
                    client.close()
                    upstream.close()
                    return
                self.links |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for link in (source, sink):  # wakes the other direction's pump too
            with contextlib.suppress(OSError):
                link.shutdown(socket.SHUT_RDWR)
        with self.lock:
            self.links -= {source, sink}
        source.close()
        sink.close()
