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


def test_compiled_templates_outlive_the_process_in_the_build_cache(tmp_path: Path, monkeypatch):
    """Through the build cache's store a new process (an empty memory) compiles nothing: the
    bytecode is loaded; an edited template is still compiled again, and its new code stored."""
    from generator.cache import Store
    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda self, source, *rest, **kw: compiled.append(source) or real(self, source, *rest, **kw))
    store_file = tmp_path / "templates.pickle"
    folder = tmp_path / "theme"
    folder.mkdir()
    (folder / "page.html").write_text("one {{ name }}", encoding="utf-8")
    store = Store.open(store_file, "v1")
    assert render(folder, MemoryBytecodeCache(store)) == "one <b>" and len(compiled) == 1
    store.save()
    store = Store.open(store_file, "v1")  # the next build: another process, the same store
    assert render(folder, MemoryBytecodeCache(store)) == "one <b>" and len(compiled) == 1
    (folder / "page.html").write_text("two {{ name }}", encoding="utf-8")
    assert render(folder, MemoryBytecodeCache(store)) == "two <b>" and len(compiled) == 2
    store.save()
    assert render(folder, MemoryBytecodeCache(Store.open(store_file, "v1"))) == "two <b>" and len(compiled) == 2
