"""Compiled Jinja templates kept for the life of the process, shared by every environment, and
in the build cache (its ``templates`` store) from one build to the next.

Each build makes a fresh Jinja environment (its globals are that build's site), and a fresh
environment compiles every template again: ~0.1 s for the theme, paid on every rebuild of the
dev server and, before the store, on every command-line build. Jinja's bytecode cache is keyed
by the template's name and checked against its source, so an edited template is compiled
again; the key here also carries the environment settings that change the compiled code.
"""
from __future__ import annotations

import jinja2

_CODE: dict[str, bytes] = {}  # this process's compiled templates: bucket key -> bytecode


def known() -> dict[str, bytes]:
    """What this process has compiled (a copy)."""
    return dict(_CODE)


def adopt(code: dict[str, bytes]) -> None:
    """Takes in CODE, compiled by another process (``known`` there): bytecode is checked against
    its template's source when loaded, as any."""
    _CODE.update(code)


def shared(store=None) -> "MemoryBytecodeCache":
    """The process's compiled templates, in front of STORE (the build cache's, or None)."""
    return MemoryBytecodeCache(store, _CODE)


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """CODE (a dict of its own by default) in front of STORE (the build cache's, or None)."""

    def __init__(self, store=None, code: dict[str, bytes] | None = None) -> None:
        self._code = {} if code is None else code
        self.store = store

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> jinja2.bccache.Bucket:
        settings = (environment.block_start_string, environment.variable_start_string,
                    environment.comment_start_string, environment.line_statement_prefix, environment.trim_blocks,
                    environment.lstrip_blocks, environment.keep_trailing_newline, environment.autoescape,
                    tuple(sorted(environment.extensions)), getattr(environment, "newstyle_gettext", None))
        key = self.get_cache_key(f"{name}\x00{settings!r}", filename)
        bucket = jinja2.bccache.Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)  # the bucket drops code whose source checksum differs
        return bucket

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._code.get(bucket.key)
        stored = self.store.get(bucket.key) if self.store is not None else None  # (marks it used)
        if data is None:
            data = stored
        elif stored != data and self.store is not None:
            self.store.put(bucket.key, data)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = bucket.bytecode_to_string()
        self._code[bucket.key] = data
        if self.store is not None:
            self.store.put(bucket.key, data)

