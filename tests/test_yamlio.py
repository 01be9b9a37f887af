"""load_yaml (generator/yamlio.py): the values a YAML file holds, as PyYAML's safe loader reads them."""
from __future__ import annotations

import math

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import ErrorCollector
from generator.yamlio import _PureLoader, load_yaml

TRICKY = ["yes", "on", "~", "null", "0x1F", "0o17", "1e3", ".inf", "-.Inf", ".nan", "1_000", "+12", "0012",
          "2023-12-05 07:30", "2023-12-05", "'quoted'", '"dou\\tble"', "!!str 12", "!!int '7'", "!!float 1",
          "!!bool 'true'", "|\n  block\n  text\n", ">-\n  folded\n  text\n", "&a anchored", "Đắk Lắk", "'it''s'",
          "[a, 1, true]", "{k: v, n: 2}", "!!binary aGVsbG8=", "2001:db8::1"]

_plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=10)


def _plain_values(value):
    """VALUE with load_yaml's YamlMap and YamlList made plain dicts and lists."""
    if isinstance(value, dict):
        return {key: _plain_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_values(item) for item in value]
    return value


def _same(a, b) -> bool:
    """Equal, and of the same types all through (True is not 1 here; NaN is NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def _check(text: str) -> None:
    try:
        expected = yaml.load(text, Loader=_PureLoader)
    except yaml.YAMLError:
        return  # not a document both must read (load_yaml reports it: test_errors.py)
    errors = ErrorCollector()
    found = load_yaml(text, "x.yaml", errors)
    assert not errors.items, text
    assert _same(_plain_values(found), expected), text


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=12), _plain, min_size=1, max_size=6))
def test_load_yaml_reads_what_the_safe_loader_reads(fields: dict):
    """Text is taken from the parser's node without the constructor (most scalars), the rest goes
    through it: load_yaml gives the values PyYAML's pure-Python safe loader (timestamps left as text,
    as here) gives, of the same types, for any document PyYAML writes."""
    _check(yaml.safe_dump(fields, allow_unicode=True))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(TRICKY + ["*a", "[*a, *a]"]), min_size=1, max_size=6))
def test_load_yaml_reads_tricky_scalars_as_the_safe_loader(values: list[str]):
    """The same for scalars as writers type them: implicit types, explicit tags, quotes, block
    scalars, flow collections, anchors and aliases."""
    _check("base: &a anchored\n" + "".join(f"k{i}: {value}\n" for i, value in enumerate(values)))
