#!/usr/bin/env python3
"""Builds the example site and prints, for each page type, its gzip weight and its axe violations.

    .venv/bin/python scripts/page_weight.py            # weights, and axe counts if Chromium is there
    .venv/bin/python scripts/page_weight.py --no-axe   # weights only

The weight of a page is what a phone downloads to show it, images aside: the HTML and every
stylesheet and script it refers to, each compressed with gzip (level 6, a web server's usual
setting). The budget for the home page is 60 KB. The search page also fetches Pagefind's runtime
and index when a search runs; that is shown on its own line.

The axe count is the number of accessibility rules axe-core (tests/data/axe.min.js) finds broken
in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright). The browser tests
(tests/test_browser.py) use the helpers below and require zero on every page type.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import subprocess
import sys
import tempfile
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "data" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# The example site at a fixed moment: the 2027 drives are upcoming, the needs notice is fresh.
NOW = "2026-11-25T10:00:00+07:00"
HOME_BUDGET = 60 * 1024

# Page type -> output path of one page of that type in the example site.
PAGE_TYPES = {
    "home": "index.html",
    "news list": "tin-tuc/index.html",
    "post": "tin-tuc/dang-ky-hien-mau-dau-xuan-2027-bai-minh-hoa/index.html",
    "events list": "su-kien/index.html",
    "event": "su-kien/ngay-hoi-hien-mau-dau-xuan-2027-minh-hoa/index.html",
    "past event": "su-kien/ngay-hoi-hien-mau-tinh-nguyen-cong-an-tinh-bac-giang/index.html",
    "recognition": "vinh-danh/index.html",
    "standing page": "dieu-kien-hien-mau/index.html",
    "topic": "chu-de/hien-mau/index.html",
    "search": "tim-kiem/index.html",
    "flyer": "su-kien/ngay-hoi-hien-mau-dau-xuan-2027-minh-hoa/to-roi/index.html",
    "not found": "404.html",
    "home (English)": "en/index.html",
    "event (English)": "en/drives/new-year-blood-donation-day-2027-example/index.html",
}


def build_example(output: Path) -> None:
    """The repository root is the example site; built with the fixed clock."""
    subprocess.run([sys.executable, "-m", "generator", "build", "--site", str(ROOT), "--output", str(output),
                    "--now", NOW], check=True, capture_output=True, cwd=ROOT)


def url_of(rel: str) -> str:
    """'tin-tuc/index.html' -> '/tin-tuc/' (the example site has no base path)."""
    return "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


class _References(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split() and attrs.get("href"):
            self.found.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.found.append(attrs["src"])


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def page_weight(output: Path, rel: str) -> tuple[int, list[tuple[str, int]]]:
    """(total gzip bytes, [(file, gzip bytes)]) for the page and the CSS and JS it refers to."""
    html = (output / rel).read_bytes()
    parts = [(rel, gz(html))]
    reader = _References()
    reader.feed(html.decode("utf-8"))
    for ref in reader.found:
        url = urlsplit(ref)
        if url.scheme or url.netloc:
            raise AssertionError(f"{rel} loads a third-party file: {ref}")
        target = output / url.path.lstrip("/")
        parts.append((url.path.lstrip("/"), gz(target.read_bytes())))
    return sum(size for _, size in parts), parts


def search_runtime_weight(output: Path) -> int:
    """What the search page fetches on a first search: Pagefind's script, WebAssembly and index."""
    bundle = output / "pagefind"
    names = ["pagefind.js", "pagefind-entry.json"] + [p.name for p in bundle.glob("*.pf_meta")] \
        + [p.name for p in bundle.glob("wasm.*.pagefind")]
    return sum(gz((bundle / name).read_bytes()) for name in names)


# -- serving and the browser ----------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(output: Path):
    """A static server for OUTPUT on 127.0.0.1 (a free port) in a thread. Yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def launch_chromium(playwright):
    """Debian's Chromium, never a downloaded browser."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def axe_violations(page) -> list[dict]:
    """Runs axe-core on the loaded page with its default rules (WCAG 2.x A/AA and best practices)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            nodes: v.nodes.map(n => n.target.join(' '))}));
    }""")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-axe", action="store_true", help="skip the accessibility check")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        output = Path(temp) / "out"
        build_example(output)
        counts: dict[str, object] = {name: "-" for name in PAGE_TYPES}
        if not args.no_axe:
            counts = axe_counts(output)
        print(f"{'page type':<14} {'gzip KB':>8}  {'axe':>4}  files")
        for name, rel in PAGE_TYPES.items():
            total, parts = page_weight(output, rel)
            files = ", ".join(f"{Path(f).name} {s / 1024:.1f}" for f, s in parts)
            print(f"{name:<14} {total / 1024:>8.1f}  {counts[name]!s:>4}  {files}")
        print(f"{'search runtime':<14} {search_runtime_weight(output) / 1024:>8.1f}        "
              "Pagefind script, WebAssembly and index, fetched on the first search")
        home = page_weight(output, PAGE_TYPES["home"])[0]
        verdict = "within" if home <= HOME_BUDGET else "OVER"
        print(f"home page: {home / 1024:.1f} KB gzip, {verdict} the {HOME_BUDGET // 1024} KB budget")
        failed = home > HOME_BUDGET or any(isinstance(c, int) and c for c in counts.values())
        return 1 if failed else 0


def axe_counts(output: Path) -> dict[str, object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("playwright is not installed: axe counts skipped", file=sys.stderr)
        return {name: "n/a" for name in PAGE_TYPES}
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: axe counts skipped", file=sys.stderr)
        return {name: "n/a" for name in PAGE_TYPES}
    counts: dict[str, object] = {}
    with serve(output) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        for name, rel in PAGE_TYPES.items():
            page.goto(base + url_of(rel))
            violations = axe_violations(page)
            counts[name] = len(violations)
            for violation in violations:
                print(f"  {name}: {violation['id']} ({violation['impact']}): {violation['help']} "
                      f"at {', '.join(violation['nodes'][:3])}", file=sys.stderr)
        browser.close()
    return counts


if __name__ == "__main__":
    sys.exit(main())
