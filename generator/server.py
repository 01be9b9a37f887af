"""``outreach serve``: build into a private folder, serve it, watch the sources, rebuild, reload browsers.

The shape follows MkDocs' dev server: an *epoch* counts good builds and only a good build moves it
forward, so a content error never replaces what the browser shows; the last good build keeps being
served, with the errors laid over it. Builds are kept in memory, never written: each good build is
a new mapping of output paths to bytes (or to the file to send) switched in at once, so a request
never sees a half-built site. The build cache stays in memory between rebuilds (saved at exit),
and compiled templates are kept (templatecache.py), so a rebuild redoes only what an edit changed.

Live reload is a small script served under ``/__outreach/`` and added to HTML *responses* only:
the files written by the build are not changed. It listens to server-sent events and reloads the
page when the version (good builds + the current errors) is no longer the one it was served with.
"""
from __future__ import annotations

import errno
import hashlib
import html
import http.server
import json
import mimetypes
import posixpath
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import quote, unquote, urlsplit

from generator.build import build_in_memory
from generator.cache import BuildCache, gc_paused
from generator.checks import problem_dict
from generator.config import load_config
from generator.errors import BuildFailed, ContentError, ErrorCollector, Loc, N_
from generator.i18n import guess_language, tool_messages
from generator.urls import BuildOptions
from generator.write import safe_relpath

LIVE = "/__outreach/"  # the preview's own files; outside any base path a site can have
DEBOUNCE = 0.02  # seconds of quiet after the last change: an editor's save is a burst of events within a few ms
KEEPALIVE = 15.0  # seconds between comments on an idle event stream, to notice closed tabs
LOOPBACK = ("127.0.0.1", "localhost", "::1")
IGNORED_NAMES = re.compile(r"(^\.|^#.*#$|~$|\.sw[a-p]$|\.tmp$|^4913$)")  # hidden files, editor droppings

LIVE_RELOAD_JS = b"""(function () {
  "use strict";
  var script = document.currentScript;
  var version = script ? script.getAttribute("data-version") : null;
  if (!window.EventSource || version === null) { return; }
  var source = new EventSource("/__outreach/events");
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.version !== version) {
      source.close();
      window.location.reload();
    }
  });
})();
"""

OVERLAY_CSS = b"""#outreach-errors{position:fixed;inset:0 0 auto 0;z-index:2147483647;max-height:70vh;overflow:auto;
margin:0;padding:1rem 1.5rem;background:#fff4f4;color:#1a1a1a;border-bottom:4px solid #b00020;
font:16px/1.5 system-ui,sans-serif;box-shadow:0 4px 16px rgba(0,0,0,.3)}
#outreach-errors h2{margin:0 0 .5rem;font-size:1.25rem;color:#b00020}
#outreach-errors ol{margin:.5rem 0 0;padding-left:1.5rem}
#outreach-errors li{margin:.5rem 0}
#outreach-errors code{font:15px/1.4 ui-monospace,monospace;background:#fff;padding:0 .25rem;word-break:break-all}
#outreach-errors .fix{display:block;color:#333}
"""


@dataclass(frozen=True)
class Snapshot:
    """What is being served: the last good build and the errors of the latest attempt."""
    epoch: int  # good builds so far; only a good build moves it forward
    files: Mapping[str, bytes | Path] | None  # the last good build: output path -> bytes, or the file to send
    base_path: str  # '/' or '/hien-mau/', from config.yaml
    errors: tuple[ContentError, ...] = ()
    language: str = "en"

    @property
    def version(self) -> str:
        digest = hashlib.sha256("\n".join(e.format() for e in self.errors).encode("utf-8")).hexdigest()[:12]
        return f"{self.epoch}-{digest}" if self.errors else str(self.epoch)


class PreviewState:
    """The current Snapshot, and a way for event streams to wait until it changes."""

    def __init__(self, snapshot: Snapshot):
        self._snapshot = snapshot
        self._changed = threading.Condition()
        self.stopping = False

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def publish(self, snapshot: Snapshot) -> None:
        with self._changed:
            self._snapshot = snapshot
            self._changed.notify_all()

    def wait_for_change(self, version: str, timeout: float) -> Snapshot:
        with self._changed:
            self._changed.wait_for(lambda: self.stopping or self._snapshot.version != version, timeout)
            return self._snapshot

    def stop(self) -> None:
        with self._changed:
            self.stopping = True
            self._changed.notify_all()


# -- finding the file for a request ---------------------------------------------------------------
@dataclass(frozen=True)
class Found:
    name: str | None = None  # the output path of what is sent
    data: bytes | Path | None = None  # what is sent: bytes, or a file (media, theme assets) to read
    redirect: str | None = None  # or where to send the browser
    status: int = 200  # 400 or 404 when there is neither


def not_found_page(files: Mapping[str, bytes | Path], base_path: str, target: str) -> bytes | Path | None:
    """The 404 page for the request TARGET: its language's (en/404.html for /en/...), else the site's."""
    path = unquote(urlsplit(target).path, errors="replace")
    first = path[len(base_path):].split("/", 1)[0] if path.startswith(base_path) else ""
    own = f"{first}/404.html"
    return files[own] if first and own in files else files.get("404.html")


def locate(files: Mapping[str, bytes | Path], base_path: str, target: str) -> Found:
    """The output file that the request TARGET asks for; never anything that is not one of FILES.

    The path is decoded once, and '.'/'..' and hidden segments are refused.
    """
    path = urlsplit(target).path  # an absolute-form target ('http://host/x') keeps only its path
    if not path.startswith("/"):
        return Found(status=400)
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return Found(status=400)
    if "\x00" in decoded or "\\" in decoded:
        return Found(status=400)
    if not decoded.startswith(base_path):
        if decoded in ("/", base_path.rstrip("/")):
            return Found(redirect=base_path)
        return Found(status=404)
    segments = decoded[len(base_path):].split("/")
    if any(segment in (".", "..") or segment.startswith(".") for segment in segments):
        return Found(status=404)
    names = [segment for segment in segments if segment]
    rel = "/".join(names)
    if rel in files:
        return Found(name=rel, data=files[rel])
    index = f"{rel}/index.html" if rel else "index.html"
    if index not in files:
        return Found(status=404)
    if names and not decoded.endswith("/"):
        return Found(redirect=base_path + "/".join(quote(n) for n in names) + "/")
    return Found(name=index, data=files[index])


# -- what the browser is sent ---------------------------------------------------------------------
def inject(page: bytes, snapshot: Snapshot, translate: Callable[[str], str]) -> bytes:
    """Adds the live-reload script (and the error overlay, if the last build failed) to one HTML page."""
    text = page.decode("utf-8", errors="replace")
    script = (f'<script src="{LIVE}livereload.js" data-version="{html.escape(snapshot.version)}" defer>'
              f"</script>\n")
    lower = text.lower()
    end = lower.rfind("</body>")
    text = text[:end] + script + text[end:] if end >= 0 else text + script
    if snapshot.errors:
        overlay = overlay_html(snapshot, translate)
        body = re.search(r"<body\b[^>]*>", text, re.IGNORECASE)
        at = body.end() if body else 0
        text = text[:at] + overlay + text[at:]
    return text.encode("utf-8")


def overlay_html(snapshot: Snapshot, translate: Callable[[str], str]) -> str:
    items = []
    for error in snapshot.errors:
        message, hint = error.text(translate)
        where = error.loc.path + (f":{error.loc.line}:{error.loc.col or 1}" if error.loc.line else "")
        label = translate("warning") if error.severity == "warning" else translate("error")
        fix = (f'<span class="fix">{html.escape(translate("fix"))}: {html.escape(hint)}</span>' if hint else "")
        items.append(f"<li><code>{html.escape(where)}</code> <strong>{html.escape(label)}</strong>: "
                     f"{html.escape(message)}{fix}</li>")
    title = translate("The last change has {count} error(s)").format(
        count=sum(1 for e in snapshot.errors if e.severity == "error"))
    explain = (translate("This page is the last good build. Fix the errors and save: the page reloads by itself.")
               if snapshot.files is not None else translate("Fix the errors and save: the page reloads by itself."))
    return (f'<link rel="stylesheet" href="{LIVE}overlay.css">\n'
            f'<section id="outreach-errors" role="alert" aria-labelledby="outreach-errors-title">'
            f'<h2 id="outreach-errors-title">{html.escape(title)}</h2><p>{html.escape(explain)}</p>'
            f'<ol>{"".join(items)}</ol></section>\n')


def error_page(snapshot: Snapshot, translate: Callable[[str], str]) -> bytes:
    """Shown when no build has succeeded yet: the errors, and the script that reloads once fixed."""
    title = translate("The site cannot be built")  # outside the f-string, where pybabel extract finds it
    page = (f'<!DOCTYPE html>\n<html lang="{html.escape(snapshot.language)}">\n<head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title></head>\n<body>\n</body>\n</html>\n")
    return inject(page.encode("utf-8"), snapshot, translate)


def status_json(snapshot: Snapshot, translate: Callable[[str], str]) -> bytes:
    return json.dumps({"epoch": snapshot.epoch, "version": snapshot.version,
                       "errors": [problem_dict(e, translate) for e in snapshot.errors]},
                      ensure_ascii=False).encode("utf-8")


def _content_type(name: str) -> str:
    kind = mimetypes.guess_type(posixpath.basename(name))[0] or "application/octet-stream"
    if name.endswith(".ics"):
        kind = "text/calendar"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json", "application/xml",
                                             "image/svg+xml", "application/atom+xml", "application/rss+xml"):
        kind += "; charset=utf-8"
    return kind


class Handler(http.server.BaseHTTPRequestHandler):
    """One request. ``preview`` is set on a subclass made for each server."""

    preview: "Preview"
    server_version = "OutreachPreview"
    sys_version = ""
    protocol_version = "HTTP/1.0"  # one request per connection: simple, and nothing to leak between them
    timeout = 60  # a client that sends nothing is dropped instead of holding a thread

    def log_message(self, format, *args):  # noqa: A002 - the name is http.server's
        pass  # the terminal is for the writer: builds and errors, not every request

    def do_HEAD(self):
        self._respond(head=True)

    def do_GET(self):
        self._respond(head=False)

    def _respond(self, head: bool) -> None:
        snapshot = self.preview.state.snapshot
        translate = tool_messages(snapshot.language).gettext
        path = urlsplit(self.path).path
        try:
            if not self._host_allowed():
                self._send(400, b"Bad Request: unexpected Host header", "text/plain; charset=utf-8", head)
            elif path.startswith(LIVE):
                self._live(path[len(LIVE):], snapshot, translate, head)
            elif snapshot.files is None:
                self._send(503, error_page(snapshot, translate), "text/html; charset=utf-8", head)
            else:
                self._file(snapshot, translate, head)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass  # the browser went away

    def _host_allowed(self) -> bool:
        """On this computer only, the Host must be this computer too: a web page cannot then read the
        preview (drafts included) through a domain name it points at 127.0.0.1 (DNS rebinding)."""
        if self.preview.host not in LOOPBACK:
            return True  # the writer chose to open the preview to the network
        host = self.headers.get("Host")
        if host is None:
            return True  # HTTP/1.0 clients may leave it out
        name = host.rsplit("]", 1)[0] + "]" if host.startswith("[") else host.rsplit(":", 1)[0]
        return name.lower() in ("127.0.0.1", "localhost", "[::1]")

    def _file(self, snapshot: Snapshot, translate, head: bool) -> None:
        found = locate(snapshot.files, snapshot.base_path, self.path)
        if found.redirect:
            self.send_response(302)
            self.send_header("Location", found.redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = _read(found.data)
        if data is None:
            missing = (_read(not_found_page(snapshot.files, snapshot.base_path, self.path))
                       if found.status in (200, 404) else None)
            if missing is not None:
                self._send(404, inject(missing, snapshot, translate), "text/html; charset=utf-8", head)
            else:
                status = 404 if found.status == 200 else found.status  # 200: a file gone since the build
                self._send(status, http.HTTPStatus(status).phrase.encode(), "text/plain; charset=utf-8", head)
            return
        kind = _content_type(found.name)
        if kind.startswith("text/html"):
            data = inject(data, snapshot, translate)
        self._send(200, data, kind, head)

    def _live(self, name: str, snapshot: Snapshot, translate, head: bool) -> None:
        if name == "events":
            self._events(snapshot)
        elif name == "livereload.js":
            self._send(200, LIVE_RELOAD_JS, "text/javascript; charset=utf-8", head)
        elif name == "overlay.css":
            self._send(200, OVERLAY_CSS, "text/css; charset=utf-8", head)
        elif name == "status":
            self._send(200, status_json(snapshot, translate), "application/json; charset=utf-8", head)
        else:
            self._send(404, b"Not Found", "text/plain; charset=utf-8", head)

    def _send(self, status: int, data: bytes, kind: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # a preview is never stale in the browser
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _events(self, snapshot: Snapshot) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(b"retry: 1000\n\n")
        state = self.preview.state
        sent = None
        while not state.stopping:
            if snapshot.version != sent:
                data = json.dumps({"epoch": snapshot.epoch, "version": snapshot.version})
                self.wfile.write(f"event: state\ndata: {data}\n\n".encode("utf-8"))
                sent = snapshot.version
            else:
                self.wfile.write(b": keep-alive\n\n")
            self.wfile.flush()
            snapshot = state.wait_for_change(sent, KEEPALIVE)


def _read(data: bytes | Path | None) -> bytes | None:
    """The bytes to send: built ones, or a copied file's (None if it went away since the build)."""
    if not isinstance(data, Path):
        return data
    try:
        return data.read_bytes()
    except OSError:
        return None


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # many tabs and assets at once must wait their turn, not be refused


class _Server6(_Server):
    address_family = socket.AF_INET6


# -- building and watching ------------------------------------------------------------------------
@dataclass
class Preview:
    site_dir: Path
    work: Path  # private scratch folder (the search indexer's), removed at exit
    host: str
    port: int = 0
    echo: Callable[[str, bool], None] = lambda text, err: print(text, file=sys.stderr if err else sys.stdout)
    state: PreviewState = field(default_factory=lambda: PreviewState(Snapshot(0, None, "/")))
    cache: BuildCache | None = None  # opened by the first build, kept in memory, saved by close()
    _last_good: bool = False
    _warnings_shown: tuple = ()

    def address(self, base_path: str = "/") -> str:
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}{base_path}"

    def _site_settings(self) -> tuple[str, str]:
        """(base path, language) from config.yaml; the previous ones while it has errors."""
        config = load_config(self.site_dir, ErrorCollector())
        if config is None:
            return self.state.snapshot.base_path, guess_language(self.site_dir)
        return config.base_path, config.language

    def rebuild(self) -> Snapshot:
        previous = self.state.snapshot
        base_path, language = self._site_settings()
        if self.cache is None:
            self.cache = BuildCache.for_site(self.site_dir)
        elif self._last_good:
            self.cache.prune()  # what the last good build did not use is stale; a failed one used less
        try:
            with gc_paused():
                result, built = build_in_memory(self.site_dir, BuildOptions(drafts=True, future=True),
                                                self.address(base_path), self.cache, self.work)
            files = {safe_relpath(rel): data for rel, data in built.items()}
        except BuildFailed as failed:
            self._last_good = False
            problems = tuple(failed.errors + failed.warnings)
            snapshot = Snapshot(previous.epoch, previous.files, previous.base_path, problems, failed.language)
            self._report(snapshot.language, problems)
            translate = tool_messages(snapshot.language).gettext
            message = (translate("Build failed: {count} error(s). The browser shows them; the last good build is "
                                 "still served.") if previous.files is not None else
                       translate("Build failed: {count} error(s). The browser shows them until they are fixed."))
            self.echo(message.format(count=len(failed.errors)), True)
        except Exception as exc:  # a crash must not stop the preview: report it like an error
            self._last_good = False
            problem = ContentError(Loc("(build)"), N_("the build stopped unexpectedly: {problem}"),
                                   N_("save the file again; if this keeps happening, report it with this message"),
                                   (("problem", f"{type(exc).__name__}: {exc}"),))
            snapshot = Snapshot(previous.epoch, previous.files, previous.base_path, (problem,), language)
            self._report(language, (problem,))
        else:
            self._last_good = True
            snapshot = Snapshot(previous.epoch + 1, files, base_path, (), result.language)
            self._report(result.language, tuple(result.warnings))
            translate = tool_messages(result.language).gettext
            self.echo(translate("Built {pages} pages in {seconds:.2f} s.").format(
                pages=result.pages, seconds=result.seconds), False)
        self.state.publish(snapshot)
        return snapshot

    def close(self) -> None:
        """Saves the build cache, so the next `outreach build` or preview starts warm."""
        if self.cache is not None:
            self.cache.save()

    def _report(self, language: str, problems: tuple[ContentError, ...]) -> None:
        """Prints errors every time, warnings only when they differ from the last ones printed."""
        translate = tool_messages(language).gettext
        warnings = tuple(p for p in problems if p.severity == "warning")
        repeat = warnings == self._warnings_shown
        self._warnings_shown = warnings
        for problem in problems:
            if problem.severity == "error" or not repeat:
                self.echo(problem.format(translate), True)


class Rebuilder(threading.Thread):
    """Rebuilds once the sources have been quiet for DEBOUNCE seconds; one build at a time."""

    def __init__(self, rebuild: Callable[[], object], quiet: float = DEBOUNCE):
        super().__init__(name="outreach-rebuild", daemon=True)
        self._rebuild = rebuild
        self._quiet = quiet
        self._pending = threading.Event()
        self._stopping = threading.Event()
        self._last = 0.0

    def poke(self) -> None:
        self._last = time.monotonic()
        self._pending.set()

    def stop(self) -> None:
        self._stopping.set()
        self._pending.set()

    def run(self) -> None:
        while True:
            self._pending.wait()
            if self._stopping.is_set():
                return
            while (left := self._last + self._quiet - time.monotonic()) > 0:
                time.sleep(left)
            self._pending.clear()
            if self._stopping.is_set():
                return
            self._rebuild()


def watch(site_dir: Path, poke: Callable[[], None]):
    """Starts a watchdog observer on config.yaml, content/ and templates/. Returns it (call .stop())."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    site = site_dir.resolve()
    observer = Observer()
    watched: set[str] = set()

    def watch_folder(name: str) -> None:
        folder = site / name
        if name not in watched and folder.is_dir():
            observer.schedule(handler, str(folder), recursive=True)
            watched.add(name)

    class SourceEvents(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type in ("opened", "closed_no_write"):
                return
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                rel = _relevant(site, raw)
                if rel is None:
                    continue
                if rel in ("content", "templates"):
                    watch_folder(rel)  # made after the server started
                poke()
                return

    handler = SourceEvents()
    observer.schedule(handler, str(site), recursive=False)
    for name in ("content", "templates"):
        watch_folder(name)
    observer.daemon = True
    observer.start()
    return observer


def _relevant(site: Path, raw) -> str | None:
    """The site-relative path of a changed file if a build reads it, else None."""
    if not raw:
        return None
    raw = raw.decode() if isinstance(raw, bytes) else raw
    try:
        parts = Path(raw).relative_to(site).parts
    except ValueError:
        return None
    if parts == ("config.yaml",):
        return "config.yaml"
    if not parts or parts[0] not in ("content", "templates"):
        return None
    if any(IGNORED_NAMES.search(part) for part in parts[1:]):
        return None
    return posixpath.join(*parts)


# -- the command ----------------------------------------------------------------------------------
class PortProblem(Exception):
    def __init__(self, message: str, hint: str, **params):
        super().__init__(message)
        self.message, self.hint, self.params = message, hint, params


def make_server(host: str, port: int, preview: Preview) -> http.server.ThreadingHTTPServer:
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    server_class = _Server6 if ":" in host else _Server
    try:
        return server_class((host, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortProblem(N_("the port {port} is already in use (is another preview running?)"),
                              N_("stop the other program, or choose another port, e.g. --port {other}"),
                              port=port, other=port + 1 if port else 8001) from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise PortProblem(N_("the port {port} needs administrator rights"),
                              N_("choose a port above 1024, e.g. --port 8000"), port=port) from None
        raise PortProblem(N_("cannot listen on {host}:{port} ({reason})"),
                          N_("check --host; 127.0.0.1 is this computer"), host=host, port=port,
                          reason=exc.strerror or str(exc)) from None


def serve(site_dir: Path, host: str, port: int, echo: Callable[[str, bool], None]) -> None:
    """Runs until Ctrl-C (or SIGTERM); raises PortProblem if it cannot listen."""
    site_dir = site_dir.resolve()
    work = Path(tempfile.mkdtemp(prefix="outreach-serve-"))
    preview = Preview(site_dir, work, host, port, echo)
    server = None
    observer = None
    rebuilder = None
    previous_term = signal.getsignal(signal.SIGTERM)
    try:
        server = make_server(host, port, preview)
        preview.port = server.server_address[1]
        snapshot = preview.rebuild()
        rebuilder = Rebuilder(preview.rebuild)
        rebuilder.start()
        observer = watch(site_dir, rebuilder.poke)
        translate = tool_messages(snapshot.language).gettext
        echo(translate("Preview at {url} (drafts and future posts are shown). Press Ctrl-C to stop.").format(
            url=preview.address(snapshot.base_path)), False)
        if host not in LOOPBACK:
            echo(translate("Warning: other computers on the network can open this preview, drafts included."), True)
        signal.signal(signal.SIGTERM, _interrupt)
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        translate = tool_messages(preview.state.snapshot.language).gettext
        echo(translate("Preview stopped."), False)
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        preview.state.stop()
        if rebuilder is not None:
            rebuilder.stop()
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)
        if rebuilder is not None:
            rebuilder.join(timeout=30)  # a build in progress finishes before its cache is saved
        if rebuilder is None or not rebuilder.is_alive():
            preview.close()
        if server is not None:
            server.server_close()
        shutil.rmtree(work, ignore_errors=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt
