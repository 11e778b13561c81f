"""Patroni's YAML configuration (patroni.yml, Debian's /etc/patroni/VER-CLUSTER.yml): the
``postgresql:`` keys that say where the cluster it runs lives. Patroni starts the postmaster
itself and writes postgresql.conf into ``config_dir`` (``data_dir`` when unset), keeping the
original as postgresql.base.conf (patroni/postgresql/config.py ``ConfigHandler``). Pure: text
in, record out; a file that is not YAML becomes an input finding."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from oomlint.base.findings import Problems
from oomlint.base.ids import SYNTAX_ERROR
from oomlint.base.provenance import Loc


@dataclass(frozen=True)
class PatroniConfig:
    path: str
    data_dir: str | None
    config_dir: str | None
    bin_dir: str | None
    loc: Loc  # the postgresql: section (or the file)


def parse_patroni(text: str, path: str, problems: Problems) -> PatroniConfig | None:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problems.add(SYNTAX_ERROR, Loc(path, line), "not valid YAML: Patroni cannot read it "
                     f"({getattr(exc, 'problem', None) or 'syntax error'})")
        return None
    except Exception:  # noqa: BLE001 - a recursion limit or a decoding oddity: not YAML to us
        problems.add(SYNTAX_ERROR, Loc(path, 0), "not valid YAML: Patroni cannot read it")
        return None
    section = _get(node, "postgresql")
    if section is None:
        return None
    values = {k: _scalar(_get(section, k)) for k in ("data_dir", "config_dir", "bin_dir")}
    return PatroniConfig(path, values["data_dir"], values["config_dir"], values["bin_dir"],
                         Loc(path, section.start_mark.line))


def _get(node, key: str):
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _scalar(node) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.value.strip():
        return node.value.strip()
    return None
