"""A service's environment (``Environment=``, ``EnvironmentFile=``) and its ``ExecStart=``
commands as systemd expands them (systemd.exec(5), env-file.c, env-util.c), built once per
service and kept on the `Unit` for everyone who follows a unit to the program it runs.
"""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass
from typing import Callable, Mapping

from oomlint.base.findings import Pragma, Problems
from oomlint.base.provenance import Loc, Setting
from oomlint.model.host import (
    Command,
    Env,
    Environment,
    list_entries,
)
from oomlint.model.reader import Reader
from oomlint.parsers.systemd_exec import (
    EnvAssignment,
    env_name_is_valid,
    expand_exec_located,
    parse_env_file,
    split_environment,
)
from oomlint.sources.tree import Tree


@dataclass(frozen=True)
class EnvFile:
    """One parsed environment file: the path read (tree-relative), its assignments and
    its inline pragmas."""

    path: str
    assignments: tuple[EnvAssignment, ...]
    pragmas: tuple[Pragma, ...]


def parse_environment_file(text: str, path: str, problems: Problems) -> EnvFile:
    parsed = parse_env_file(text, path, problems)
    return EnvFile(path, tuple(parsed), tuple(parsed.pragmas))


def load_exec(reader: Reader) -> None:
    """Every service's environment and ``ExecStart=`` commands, each environment file
    read and parsed once (its pragmas collected by the `Reader`)."""
    def read(vpath: str) -> EnvFile | None:
        return reader.parse(vpath, "environment file", parse_environment_file)

    for unit in reader.host.services:
        if unit.fragment is None:
            continue
        unit.env = exec_environment(reader.tree, unit.settings, read)
        unit.commands = exec_commands(list_entries(unit.settings.get("ExecStart")),
                                      unit.env.variables)


def _env_files(tree: Tree, raw: str, loc: Loc, refused: list) -> list[str]:
    """The files one ``EnvironmentFile=`` names: ``-`` makes a missing file fine, a glob
    is expanded in the tree; a missing mandatory file stops the service from starting."""
    optional = raw.startswith("-")
    path = raw[1:] if optional else raw
    if any(c in path for c in "*?["):
        directory, pattern = posixpath.split(path)
        names = [n for n in tree.listdir(directory) if fnmatch.fnmatchcase(n, pattern)]
        return [posixpath.join(directory, n) for n in names]
    if tree.lookup(path).kind == "missing":
        if not optional:
            refused.append((loc, f"EnvironmentFile={raw}", "the file does not exist"))
        return []
    return [path]


def exec_environment(tree: Tree, settings: Mapping[str, Setting],
                     read: Callable[[str], EnvFile | None]) -> Environment:
    """The environment systemd gives the service (``exec_context_load_environment()``):
    ``Environment=`` assignments in order, then every ``EnvironmentFile=`` (later files and
    lines win, files over ``Environment=``), each value with the line that set it; `read`
    parses one environment file (None: it cannot be read, and that is reported)."""
    env: Env = {}
    for raw, loc in list_entries(settings.get("Environment")):
        for key, value in split_environment(raw):
            env[key] = (value, loc)
    files: list[str] = []
    refused: list[tuple[Loc, str, str]] = []
    for raw, loc in list_entries(settings.get("EnvironmentFile")):
        for path in _env_files(tree, raw, loc, refused):
            got = read(path)
            if got is None:
                continue
            if got.path not in files:
                files.append(got.path)
            for a in got.assignments:
                if env_name_is_valid(a.key):
                    env[a.key] = (a.value, a.loc)
    return Environment(env, tuple(files), tuple(refused))


def exec_commands(entries: list[tuple[object, Loc]], env: Env) -> tuple[Command, ...]:
    """Each ``ExecStart=`` entry (a raw line or its words, with its line) as systemd runs
    it: prefixes stripped, ``$VAR``/``${VAR}`` expanded from `env` (parsers/systemd_exec.py
    `expand_exec_located`)."""
    return tuple((tuple(expand_exec_located(raw, env, loc)), loc) for raw, loc in entries)
