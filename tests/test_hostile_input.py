"""Bad input never crashes: generated front matter and YAML end in a good build or clean errors.

Runs the real loaders and renderer in-process (through build.check, which is a build without
writing) so hundreds of cases fit in a few seconds; the CLI path is covered by test_errors.py.
Every case must end either in success or in BuildFailed whose errors all carry a file and a line.
"""
from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SITES, record_hostile_cases
from generator.build import check
from generator.errors import BuildFailed

NOW = datetime(2026, 1, 1, 2, tzinfo=timezone.utc)
CASES = {"count": 0}

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=60),
    st.sampled_from(["2023-12-05", "2023-12-05 07:30", "05/12/2023 07:30", "2023-02-30", "9999-12-31 23:59",
                     "0001-01-01", "2023-12-05T07:30:00+14:00", "javascript:alert(1)", "data:text/html,x",
                     "../../etc/passwd", "/etc/passwd", "media/x.jpg", "Đắk Lắk", "\u202e\u0000\ufeff", "🩸" * 50,
                     "x" * 5000, "yes", "no", "~", "[", "{", "*a", "&a", "!!python/object:os.system", "07:30"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                      max_leaves=12)
POST_KEYS = ["title", "date", "updated", "summary", "tags", "category", "author", "image", "image_alt", "event",
             "draft", "slug", "titel", "people"]
EVENT_KEYS = ["title", "start", "end", "venue", "organizers", "status", "target_units", "results", "registration",
              "contact", "description", "image", "image_alt", "slug"]
DONOR_KEYS = ["title", "award", "date", "event", "people", "description"]


def mapping(keys: list[str]):
    return st.dictionaries(st.sampled_from(keys), values, max_size=len(keys))


def dump(data) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except Exception:  # a value PyYAML cannot write: fall back to its repr, still hostile text
        return repr(data)


mutations = st.sampled_from(["none", "bom", "crlf", "tabs", "latin1", "truncate", "nul", "empty", "alias"])


def mutate(text: str, how: str) -> bytes:
    data = text.encode("utf-8", "surrogatepass")
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "crlf":
        return data.replace(b"\n", b"\r\n")
    if how == "tabs":
        return data.replace(b"  ", b"\t")
    if how == "latin1":
        return data + b"\nsummary: caf\xe9\n"
    if how == "truncate":
        return data[: len(data) // 2]
    if how == "nul":
        return data + b"\x00\x01\x02"
    if how == "empty":
        return b""
    if how == "alias":
        return data + b"\nbomb: &b [&a [1, 2, 3], *a, *a, *a]\nmore: [*b, *b, *b, *b]\n"
    return data


def run_case(files: dict[str, bytes]) -> None:
    CASES["count"] += 1
    record_hostile_cases("hostile input (generated)", CASES["count"])  # per worker; summed in the summary
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(SITES / "full", site, ignore=shutil.ignore_patterns(".cache"))
        for rel, data in files.items():
            target = site / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            check(site, now=NOW)
        except BuildFailed as failed:
            assert failed.errors, "a failed build must say why"
            for error in failed.errors:
                assert error.loc.path, error
                text = error.format()
                assert "Traceback" not in text


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))


@SETTINGS
@given(front=mapping(POST_KEYS), body=st.text(max_size=300), how=mutations)
def test_hostile_posts(front, body, how):
    run_case({"content/posts/hostile.md": mutate("---\n" + dump(front) + "---\n" + body, how)})


@SETTINGS
@given(data=mapping(EVENT_KEYS), how=mutations)
def test_hostile_events(data, how):
    run_case({"content/events/hostile.yaml": mutate(dump(data), how)})


@SETTINGS
@given(data=mapping(DONOR_KEYS), people=st.lists(st.dictionaries(
    st.sampled_from(["name", "unit", "donations", "consent", "phone", "cccd", "Email"]), values, max_size=5),
    max_size=5), how=mutations)
def test_hostile_recognition(data, people, how):
    data = dict(data, people=people)
    run_case({"content/donors/hostile.yaml": mutate(dump(data), how)})


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=mapping(["title", "base_url", "language", "timezone", "menu", "paginate", "milestones", "permalinks",
                     "feeds", "trust_html", "organization"]), how=mutations)
def test_hostile_config(data, how):
    run_case({"config.yaml": mutate(dump(data), how)})


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=400))
def test_binary_files_everywhere(data):
    run_case({"content/posts/binary.md": data, "content/events/binary.yaml": data,
              "content/donors/binary.yaml": data, "content/needs.yaml": data})
