"""`outreach serve`: a real server in a subprocess, on a copy of a fixture site, always stopped."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import copy_site, record_hostile_cases

BASE = "/hien-mau/"  # the 'full' fixture's base_url is https://example.org/hien-mau/
DRAFT = BASE + "tin-tuc/bai-nhap-bi-mat/"
NEWS_POST = BASE + "tin-tuc/hien-mau-cuu-nguoi-nghia-cu-cao-dep/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    site: Path
    work: Path  # TMPDIR of the server: its private build folders live in there
    log: Path

    def get(self, path: str, timeout: float = 10) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def raw(self, request_target: str, host: str = "127.0.0.1") -> tuple[int, str]:
        """Sends the request target exactly as given (no client-side normalisation)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(f"GET {request_target} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode("latin-1"))
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split()[1]), body.decode("utf-8", "replace")

    def status(self) -> dict:
        return json.loads(self.get("/__outreach/status")[2])

    def wait_for(self, condition, what: str, timeout: float = 15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"the server died:\n{self.output()}"
            value = condition()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


# `python -m generator`, with Ctrl-C (SIGINT) raising KeyboardInterrupt as in a terminal: a process
# keeps SIGINT ignored if it was started so (as a shell's background job is), and a pytest-xdist
# worker was seen running with it ignored, which made the server deaf to the tests' Ctrl-C
OUTREACH = [sys.executable, "-c", "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                                  "runpy.run_module('generator', run_name='__main__')"]


@pytest.fixture
def server(request, tmp_path: Path):
    site = copy_site("full", tmp_path)
    for rel, text in getattr(request, "param", {}).items():  # files to write before the server starts
        (site / rel).write_text(text, encoding="utf-8")
    work = tmp_path / "tmp"
    work.mkdir()
    log = tmp_path / "serve.log"
    port = free_port()
    env = dict(os.environ, PYTHONIOENCODING="utf-8", TMPDIR=str(work))
    with log.open("wb") as out:
        proc = subprocess.Popen([*OUTREACH, "serve", "--site", str(site), "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, env=env)
    running = Server(proc, port, site, work, log)
    try:
        running.wait_for(lambda: _answers(running), "the server to answer", timeout=30)
        yield running
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _answers(server: Server) -> bool:
    try:
        return server.get("/__outreach/status", timeout=2)[0] == 200
    except OSError:
        return False


def test_serves_drafts_and_reloads_after_an_edit(server: Server):
    status, headers, body = server.get(BASE)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert '<script src="/__outreach/livereload.js" data-version="1" defer></script>' in body
    assert server.get("/")[0] == 302  # to the base path
    assert "Xem trước tại http://127.0.0.1:%d/hien-mau/" % server.port in server.output()
    # drafts and future posts are shown, marked as such
    draft = server.get(DRAFT)
    assert draft[0] == 200 and "Bài nháp: chưa được đăng" in draft[2]
    # builds are kept in memory: the site's own output/ is never written, nor any folder of pages
    assert not (server.site / "output").exists()
    assert not list(server.work.rglob("index.html"))

    post = server.site / "content/posts/2023-12-05-a.md"
    post.write_text(post.read_text(encoding="utf-8").replace("Đoạn đầu tiên của bài.", "Nội dung đã sửa."), encoding="utf-8")
    page = server.wait_for(lambda: (lambda b: b if "Nội dung đã sửa" in b else None)(server.get(NEWS_POST)[2]),
                           "the edited post to be served")
    assert 'data-version="2"' in page
    assert server.status()["epoch"] == 2

    events = _read_events(server, 1)
    assert events == [{"epoch": 2, "version": "2"}]


def _read_events(server: Server, count: int) -> list[dict]:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /__outreach/events HTTP/1.0\r\n\r\n")
        data = b""
        while data.count(b"event: state") < count:
            data += sock.recv(65536)
    return [json.loads(line[len(b"data: "):]) for line in data.split(b"\n") if line.startswith(b"data: ")]


def test_survives_a_broken_file_and_recovers(server: Server):
    post = server.site / "content/posts/2023-12-05-a.md"
    good = post.read_text(encoding="utf-8")
    # a mistake whose message quotes HTML: the browser must see it as text
    post.write_text(good.replace("event: 2023-12-05-dot-mot", 'event: "<script>alert(1)</script>"'), encoding="utf-8")
    state = server.wait_for(lambda: (lambda s: s if s["errors"] else None)(server.status()), "the error")
    assert state["epoch"] == 1  # a failed build does not move the epoch
    [error] = [e for e in state["errors"] if e["severity"] == "error"]
    assert error["path"] == "content/posts/2023-12-05-a.md" and error["line"] > 1
    where = f"content/posts/2023-12-05-a.md:{error['line']}:{error['col']}"
    server.wait_for(lambda: where in server.output(), "the error in the terminal")
    # the last good build is still served, with the errors laid over it
    status, _, body = server.get(NEWS_POST)
    assert status == 200 and "Đoạn đầu tiên của bài." in body
    assert 'id="outreach-errors"' in body and where in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)</script>" not in body
    assert f'data-version="{state["version"]}"' in body
    # other pages too, and the server still answers everything
    assert server.get(BASE)[0] == 200

    post.write_text(good.replace("Đoạn đầu tiên của bài.", "Nội dung sau khi sửa lỗi."), encoding="utf-8")
    server.wait_for(lambda: server.status()["epoch"] == 2 and not server.status()["errors"], "the recovery")
    status, _, body = server.get(NEWS_POST)
    assert "Nội dung sau khi sửa lỗi" in body and 'id="outreach-errors"' not in body


BROKEN_CONFIG = "title: [Thử nghiệm\nbase_url: https://example.org/hien-mau/\nlanguage: vi\ntimezone: Asia/Ho_Chi_Minh\n"


@pytest.mark.parametrize("server", [{"config.yaml": BROKEN_CONFIG}], indirect=True)
def test_a_site_broken_from_the_start_shows_its_errors_then_recovers(server: Server):
    status, _, body = server.get(BASE)
    assert status == 503
    assert "config.yaml:2:9" in body and 'id="outreach-errors"' in body and "livereload.js" in body
    assert server.status()["epoch"] == 0
    config = server.site / "config.yaml"
    config.write_text(BROKEN_CONFIG.replace("[Thử nghiệm", "Thử nghiệm"), encoding="utf-8")
    server.wait_for(lambda: server.status()["epoch"] == 1, "the first good build")
    assert server.get(BASE)[0] == 200


def test_never_serves_files_outside_the_output(server: Server, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    # beside the sources and in the server's private folder: neither is ever a served file
    [work] = list(server.work.glob("outreach-serve-*"))
    for root in (server.site, work):
        (root / "leak.txt").symlink_to(secret)
        (root / "leakdir").symlink_to(tmp_path, target_is_directory=True)
    for target in ("/../config.yaml", "/%2e%2e/config.yaml", "/..%2fconfig.yaml", "/%2E%2E%2Fconfig.yaml",
                   BASE + "../../config.yaml", BASE + "%2e%2e/%2e%2e/config.yaml", BASE + "..%2f..%2fconfig.yaml",
                   BASE + "..%5c..%5cconfig.yaml", "/hien-mau/%252e%252e/config.yaml", "//etc/passwd",
                   BASE + "/etc/passwd", "http://127.0.0.1/../config.yaml", BASE + "%00index.html",
                   BASE + "leak.txt", BASE + "leakdir/secret.txt", BASE + "leakdir/site/config.yaml",
                   BASE + ".outreach-output", str(secret)):
        status, body = server.raw(target)
        assert status in (400, 404), (target, status)
        assert "TOP-SECRET" not in body and "base_url" not in body, target
    assert server.raw(BASE + "index.html")[0] == 200
    assert server.raw(BASE + "index.html", host=f"localhost:{server.port}")[0] == 200
    # a page on another site cannot read the preview through a name it points at 127.0.0.1
    assert server.raw(BASE + "index.html", host="attacker.example")[0] == 400
    record_hostile_cases("dev-server path escapes", 19)


def test_answers_200_concurrent_requests(server: Server):
    def fetch(index: int) -> int:
        path = BASE if index % 2 else BASE + "tin-tuc/"
        return server.get(path, timeout=30)[0]

    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(fetch, range(200)))
    assert statuses == [200] * 200
    record_hostile_cases("dev-server concurrent requests", 200)
    assert server.get(BASE)[0] == 200  # and it is still fine afterwards


def test_ctrl_c_stops_cleanly(server: Server):
    [work] = list(server.work.glob("outreach-serve-*"))
    server.proc.send_signal(signal.SIGINT)
    assert server.proc.wait(timeout=15) == 0
    assert "Traceback" not in server.output()
    assert "Đã dừng xem trước." in server.output()
    assert not work.exists()  # the private scratch folder is removed


def test_a_busy_port_is_a_usage_error(tmp_path: Path):
    site = copy_site("full", tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", str(port)],
                                capture_output=True, text=True, timeout=60,
                                env=dict(os.environ, PYTHONIOENCODING="utf-8", TMPDIR=str(tmp_path)))
    assert result.returncode == 2
    assert str(port) in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.glob("outreach-serve-*"))


def test_search_bundle_is_served_from_memory(server: Server):
    status, headers, body = server.get(BASE + "pagefind/pagefind.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert server.get(BASE + "pagefind/")[0] == 404  # a folder without index.html


def test_a_missing_page_gets_the_404_page_of_its_language():
    from generator.server import not_found_page
    files = {"404.html": b"vi", "en/404.html": b"en", "en/index.html": b"home"}
    assert not_found_page(files, "/hien-mau/", "/hien-mau/en/news/nothing/") == b"en"
    assert not_found_page(files, "/hien-mau/", "/hien-mau/tin-tuc/khong-co/") == b"vi"
    assert not_found_page(files, "/hien-mau/", "/hien-mau/en") == b"en"
    assert not_found_page(files, "/hien-mau/", "/elsewhere/en/x") == b"vi"
    assert not_found_page({"404.html": b"vi"}, "/", "/en/x") == b"vi"  # a one-language site
    assert not_found_page({}, "/", "/x") is None
