"""YAML parsing that keeps the line and column of every key and value.

Mappings become ``YamlMap`` (a dict) and sequences ``YamlList`` (a list), each remembering where
its items came from, so validation can point a writer at the exact line. Dates are *not*
resolved by YAML (models parse them, with the site timezone), and alias expansion is bounded so a
"billion laughs" file cannot exhaust memory.
"""
from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from generator.errors import ErrorCollector, Loc, N_

MAX_NODES = 100_000  # after alias expansion; far above any real content file


class YamlMap(dict):
    """A dict that knows where it and each of its keys and values were written."""

    def __init__(self, loc: Loc):
        super().__init__()
        self.loc = loc
        self.key_locs: dict[object, Loc] = {}
        self.value_locs: dict[object, Loc] = {}

    def key_loc(self, key) -> Loc:
        return self.key_locs.get(key, self.loc)

    def value_loc(self, key) -> Loc:
        return self.value_locs.get(key, self.key_loc(key))


class YamlList(list):
    def __init__(self, loc: Loc):
        super().__init__()
        self.loc = loc
        self.item_locs: list[Loc] = []

    def item_loc(self, index: int) -> Loc:
        return self.item_locs[index] if index < len(self.item_locs) else self.loc


# libyaml's parser when PyYAML was built with it (several times faster); the pure-Python one otherwise.
_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE):
    """SafeLoader without implicit timestamps: '2023-12-05 07:30' stays text for the models."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


_STR = yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG  # text: the tag a plain scalar resolves to by default


class _PureLoader(yaml.SafeLoader):
    pass


_PureLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def _pure_python_error(text: str):
    loader = _PureLoader(text)
    try:
        loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return exc
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None


def _control_character(exc: yaml.reader.ReaderError, text: str, path: str, line_offset: int,
                       errors: ErrorCollector) -> None:
    before = text[: exc.position]
    errors.error(Loc(path, before.count("\n") + 1 + line_offset, exc.position - (before.rfind("\n") + 1) + 1),
                 N_("this file contains an invisible control character (code {code})"),
                 N_("delete the character, or retype the line"), code=exc.character)


class _TooBig(Exception):
    pass


def load_yaml(text: str, path: str, errors: ErrorCollector, line_offset: int = 0):
    """Parses one YAML document. Returns None (and records an error) if it cannot be read.

    ``line_offset`` is added to every line so front matter reports the file's own lines.
    """
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # control characters: checked when the loader is made
        _control_character(exc, text, path, line_offset, errors)
        return None
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        if _BASE is not yaml.SafeLoader:
            exc = _pure_python_error(text) or exc  # its marks point closer to the mistake than libyaml's
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else line_offset + 1
        col = mark.column + 1 if mark else 1
        problem = (exc.problem or exc.context or "").strip()
        errors.error(
            Loc(path, line, col),
            N_("this YAML cannot be read ({problem})"),
            N_("check the indentation and punctuation on this line and the one above; "
               "put text that contains ':' or '#' in double quotes"),
            problem=problem,
        )
        return None
    except yaml.reader.ReaderError as exc:  # a control character further into the file
        _control_character(exc, text, path, line_offset, errors)
        return None
    except yaml.YAMLError as exc:
        errors.error(Loc(path, line_offset + 1, 1), N_("this YAML cannot be read ({problem})"),
                     N_("check that the file is plain YAML text"), problem=str(exc).strip())
        return None
    finally:
        loader.dispose()
    if node is None:
        return None
    counter = [0]

    def loc(n) -> Loc:
        return Loc(path, n.start_mark.line + 1 + line_offset, n.start_mark.column + 1)

    def convert(n):
        counter[0] += 1
        if counter[0] > MAX_NODES:
            raise _TooBig()
        if isinstance(n, ScalarNode):
            if n.tag == _STR:  # what the constructor gives for text (most scalars), without its machinery
                return n.value
            return loader.construct_object(n, deep=True)
        if isinstance(n, SequenceNode):
            out = YamlList(loc(n))
            for item in n.value:
                out.append(convert(item))
                out.item_locs.append(loc(item))
            return out
        if isinstance(n, MappingNode):
            loader.flatten_mapping(n)  # resolves '<<' merge keys
            out = YamlMap(loc(n))
            for key_node, value_node in n.value:
                key = convert(key_node)
                if isinstance(key, (YamlMap, YamlList)):
                    errors.error(loc(key_node), N_("a key must be a single word or phrase"),
                                 N_("write the key as plain text followed by ':'"))
                    continue
                if key in out:
                    errors.error(loc(key_node), N_("the key '{key}' is written twice"),
                                 N_("keep one '{key}:' line and delete the other"), key=key)
                    continue
                out[key] = convert(value_node)
                out.key_locs[key] = loc(key_node)
                out.value_locs[key] = loc(value_node)
            return out
        return None

    try:
        return convert(node)
    except _TooBig:
        errors.error(Loc(path, line_offset + 1, 1),
                     N_("this YAML expands to more than {limit} values (too many repeated aliases)"),
                     N_("write the values out instead of repeating '*' aliases"), limit=MAX_NODES)
        return None
    except yaml.YAMLError as exc:  # a scalar the constructor rejects (e.g. a bad !!binary)
        errors.error(Loc(path, line_offset + 1, 1), N_("this YAML cannot be read ({problem})"),
                     N_("check that the file is plain YAML text"), problem=str(exc).strip())
        return None
    except RecursionError:
        errors.error(Loc(path, line_offset + 1, 1), N_("this YAML is nested too deeply"),
                     N_("flatten the structure"))
        return None
