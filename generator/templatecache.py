"""Compiled Jinja templates kept for the life of the process, shared by every environment.

Each build makes a fresh Jinja environment (its globals are that build's site), and a fresh
environment compiles every template again: ~0.15 s for the theme, paid on every rebuild of the
dev server. Jinja's bytecode cache is keyed by the template's name and checked against its
source, so an edited template is compiled again; the key here also carries the environment
settings that change the compiled code.
"""
from __future__ import annotations

import jinja2


class MemoryBytecodeCache(jinja2.BytecodeCache):
    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

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
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


BYTECODE = MemoryBytecodeCache()
