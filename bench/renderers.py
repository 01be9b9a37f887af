"""What a body of the bench corpus costs each Markdown renderer, on one core: the data for choosing
a renderer (bench/README.md, "Design-level next steps" 4). Not part of `make test` or `make bench`.

    python bench/renderers.py [--n 1000] [--tools-dir DIR] [--repeats 3]

Measured, each the best of --repeats passes over the same N bodies (corpus.py, seed 1):
- Outreach's Markdown step as a build runs it in its workers (generator.markdown: Python-Markdown
  with the extensions each body needs, link rewriting, nh3 sanitising; and the checks' scan), and
  the part of it a change of renderer would replace: its convert alone;
- Python-Markdown with `extra` and `toc`, one instance reset between bodies (the bench's floor);
- markdown-it-py (CommonMark and tables), mistune 3 (tables, footnotes) and cmarkgfm (GitHub's
  cmark, in C): installed by this script into a venv under --tools-dir, never into the project.
  Their HTML is not Outreach's (no heading anchors, table of contents or `extra` syntax, no source
  positions for link errors): the figures bound what a change of renderer could save, nothing more.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
import corpus  # noqa: E402

# Each renderer's pass, run in the venv that has it; BODIES comes as JSON on stdin.
ALTERNATIVES = r"""
import json, sys, time
bodies = json.load(sys.stdin)
repeats = int(sys.argv[1])
def markdown_it():
    from markdown_it import MarkdownIt
    return MarkdownIt("commonmark").enable("table").render
def mistune():
    import mistune
    return mistune.create_markdown(plugins=["table", "footnotes"])
def cmarkgfm():
    import cmarkgfm
    return cmarkgfm.github_flavored_markdown_to_html
found = {}
for name, make in [("markdown-it-py", markdown_it), ("mistune", mistune), ("cmarkgfm", cmarkgfm)]:
    render = make()
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for body in bodies:
            render(body)
        best = min(best, time.perf_counter() - started)
    found[name] = best / len(bodies)
print(json.dumps(found))
"""

PACKAGES = ["markdown-it-py>=3", "mistune>=3", "cmarkgfm>=2024.1.14"]


def best_of(repeats: int, work) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def ours_and_floor(bodies: list[str], repeats: int) -> dict[str, float]:
    """Seconds a body: Outreach's Markdown step (render, sanitise, scan), its convert alone, and the
    floor's convert."""
    import markdown
    from generator.checks import scan
    from generator.markdown import MarkdownRenderer
    from generator.models import Body

    renderer = MarkdownRenderer(lambda source, target: None)  # the corpus links only to other sites
    items = [Body(text, f"content/posts/{i}.md", 4) for i, text in enumerate(bodies)]

    def ours():
        for body in items:
            renderer.render(body)
            scan(body.markdown)

    def converts():  # the part of it a change of renderer would replace
        for body in items:
            md = renderer._instance(body.markdown)
            md.reset()
            md.convert(body.markdown)

    floor = markdown.Markdown(extensions=["extra", "toc"])

    def floors():
        for text in bodies:
            floor.reset()
            floor.convert(text)

    return {"Outreach's Markdown step (render, sanitise, scan)": best_of(repeats, ours) / len(bodies),
            "of which Python-Markdown's convert (the extensions each body needs)":
                best_of(repeats, converts) / len(bodies),
            "Python-Markdown, extra + toc (the floor's)": best_of(repeats, floors) / len(bodies)}


def alternatives(bodies: list[str], repeats: int, tools: Path) -> dict[str, float]:
    venv = tools / "renderers-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PACKAGES], check=True)
    done = subprocess.run([str(python), "-c", ALTERNATIVES, str(repeats)], input=json.dumps(bodies),
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tools-dir", type=Path, help="keep the renderers' venv here (default: a temporary folder)")
    args = parser.parse_args()
    bodies = [a.body for a in corpus.articles(args.n, 1)]
    found = ours_and_floor(bodies, args.repeats)
    with tempfile.TemporaryDirectory() as scratch:
        found.update(alternatives(bodies, args.repeats, args.tools_dir or Path(scratch)))
    print(f"| renderer ({args.n} bodies of the bench corpus, one core, best of {args.repeats}) | ms a body |")
    print("|---|---|")
    for name, seconds in found.items():
        print(f"| {name} | {seconds * 1000:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
