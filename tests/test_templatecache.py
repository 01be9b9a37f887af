"""Compiled templates are shared between environments but never outlive an edit of their source."""
from __future__ import annotations

from pathlib import Path

import jinja2

from generator.templatecache import MemoryBytecodeCache


def render(folder: Path, cache: MemoryBytecodeCache, **settings) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), bytecode_cache=cache, **settings)
    return env.get_template("page.html").render(name="<b>")


def test_edited_template_is_compiled_again(tmp_path: Path):
    cache = MemoryBytecodeCache()
    (tmp_path / "page.html").write_text("one {{ name }}", encoding="utf-8")
    assert render(tmp_path, cache) == "one <b>"
    assert len(cache._code) == 1 and render(tmp_path, cache) == "one <b>"  # reused
    (tmp_path / "page.html").write_text("two {{ name }}", encoding="utf-8")
    assert render(tmp_path, cache) == "two <b>"


def test_settings_that_change_the_code_are_part_of_the_key(tmp_path: Path):
    cache = MemoryBytecodeCache()
    (tmp_path / "page.html").write_text("{{ name }}", encoding="utf-8")
    assert render(tmp_path, cache) == "<b>"
    assert render(tmp_path, cache, autoescape=True) == "&lt;b&gt;"
    assert render(tmp_path, cache) == "<b>"
