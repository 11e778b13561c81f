"""From a unit to the JVM it starts, and the flags that JVM gets.

`load_jvm` follows a unit to its JVM: the environment systemd builds (``Environment=``,
``EnvironmentFile=``) and the ``ExecStart=`` commands with their ``$VAR`` expansion, both as
model/systemd_exec.py put them on the `Unit`, the launcher
script's conventions (parsers/launchers.py: files it sources, variables it expands, its
defaults, Elasticsearch's jvm.options and auto heap), ``@argfiles``, and the three
environment variables the JVM reads itself; `collect_flags` applies them in the launcher's
order and model/hotspot.py sizes the result. Nothing here opens a file except through the
`Tree`, or raises.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence, Union

from oomlint.base.findings import Pragma, Problems
from oomlint.base.grammar.c import GIB, MIB
from oomlint.base.provenance import Loc, Setting
from oomlint.base.redact import shown
from oomlint.model.host import Command, Env, Unit, list_entries
from oomlint.model.hotspot import ES_SYSTEM_OPTIONS, JvmConfig, ergonomic_heap, resolve_jvm
from oomlint.model.services import jvm_evidence
from oomlint.model.systemd_exec import EnvFile, exec_commands, exec_environment, parse_environment_file
from oomlint.parsers.hotspot_flags import FlagSource, collect_flags, join_templated
from oomlint.parsers.java_args import (
    TERMINAL_OPTIONS,
    java_vm_options,
    main_class_index,
    parse_argfile,
    split_env_options,
)
from oomlint.parsers.jvm_options import parse_jvm_options
from oomlint.parsers.launchers import (
    SHELLS,
    Found,
    Launcher,
    WrapperStep,
    detect_launcher_located,
    first_word,
    is_java_command,
    is_shell_script,
    parse_wrapper,
)
from oomlint.parsers.shell_words import expand_shell_vars, split_shell, split_shell_located
from oomlint.parsers.systemd_exec import (
    JvmOption,
    env_name_is_valid,
    parse_env_file,
)
from oomlint.sources.templates import templated_runs, templated_setting
from oomlint.sources.tree import Tree


@dataclass
class _Ctx:
    """What `load_jvm` accumulates: the tree, problems, files and variables read, and
    refusals found before the flags are parsed."""

    tree: Tree
    problems: Problems
    jdk_major: int
    sources: list[str] = field(default_factory=list)
    refused: list[tuple[Loc, str, str]] = field(default_factory=list)
    pragmas: list[Pragma] = field(default_factory=list)
    why_not: list[str] = field(default_factory=list)  # why a start script was not followed
    scripts: dict = field(default_factory=dict)  # start script path -> (tree path, steps) | None

    def parsed(self, parsed: list) -> list:
        """Keep a parsed file's inline pragmas for the engine."""
        self.pragmas.extend(getattr(parsed, "pragmas", []))
        return parsed

    def read(self, vpath: str) -> tuple[str, str] | None:
        got = self.tree.read_text(vpath, self.problems)
        if got is not None and got[0] not in self.sources:
            self.sources.append(got[0])
        return got

    def env_file(self, vpath: str) -> EnvFile | None:
        """An environment file read for `load_jvm` without a loaded `Unit`."""
        got = self.tree.read_text(vpath, self.problems)
        if got is None:
            return None
        parsed = parse_environment_file(got[1], got[0], self.problems)
        self.pragmas.extend(parsed.pragmas)
        return parsed


def _source_shell_file(ctx: _Ctx, path: str, env: Env, exported: set[str]) -> None:
    """Variables a launcher script gets by sourcing `path` (``. /etc/default/x``): plain
    assignments, ``$VAR`` expanded in values that are not single-quoted."""
    got = ctx.read(path)
    if got is None:
        return
    plain = {k: v for k, (v, _) in env.items()}  # kept in step: a copy per line is quadratic
    for a in ctx.parsed(parse_env_file(got[1], got[0], ctx.problems, shell=True)):
        if not env_name_is_valid(a.key):
            continue
        value = a.value if a.quoted else expand_shell_vars(a.value, plain)
        env[a.key] = (value, a.loc)
        plain[a.key] = value
        if a.exported:
            exported.add(a.key)


def _exec_entries(exec_words: Any, settings: Mapping[str, Setting], name: str
                  ) -> list[tuple[Any, Loc]]:
    if exec_words is None:
        exec_words = settings.get("ExecStart")
    if isinstance(exec_words, Setting):
        return list_entries(exec_words)
    loc = Loc(name or "ExecStart", 0)
    if isinstance(exec_words, str):
        return [(exec_words, loc)]
    words = list(exec_words or ())
    if words and all(isinstance(w, tuple) for w in words):
        return words
    return [(words, loc)] if words else []


def _argfile(ctx: _Ctx, option: JvmOption) -> list[JvmOption]:
    """The arguments of ``@file`` (JDK 9+), read through the tree; when it cannot be
    opened the launcher exits ("could not open")."""
    path = option.text[1:]
    if ctx.tree.lookup(path).kind == "missing":
        ctx.refused.append((option.loc, option.text, f"Error: could not open `{shown(path)}'"))
        return []
    got = ctx.read(path)
    return list(ctx.parsed(parse_argfile(got[1], got[0], ctx.problems))) if got else []


def _expand_argfiles(ctx: _Ctx, args: Sequence[JvmOption]) -> list[JvmOption]:
    """args.c ``JLI_PreprocessArg``: until the main class is found, ``@file`` is replaced
    by the file's arguments, ``@@x`` is the argument ``@x`` and ``--disable-@files`` stops
    the expansion (JDK 9+; JDK 8 has no @argfiles)."""
    out: list[JvmOption] = []
    expanding = ctx.jdk_major >= 9
    for arg in args:
        text = arg.text
        done = main_class_index([a.text for a in out]) is not None
        if expanding and not done and text.startswith("@") and len(text) > 1:
            out.extend([JvmOption(text[1:], arg.loc)] if text.startswith("@@") else _argfile(ctx, arg))
            continue
        expanding = expanding and text != "--disable-@files"
        out.append(arg)
    return out


def _jdk_java_options(ctx: _Ctx, env: Env) -> list[JvmOption]:
    """``JDK_JAVA_OPTIONS`` (JDK 9+, the java launcher only): split like the VM's variables,
    @argfiles expanded, prepended to the command line; a main class or a terminal option
    such as -jar in it makes the launcher exit (args.c ``expand``)."""
    if ctx.jdk_major < 9 or "JDK_JAVA_OPTIONS" not in env:
        return []
    value, loc = env["JDK_JAVA_OPTIONS"]
    words = split_env_options(value)
    if words is None:
        # the variable by name: its value may hold anything (a password next to the quote)
        ctx.refused.append((loc, "JDK_JAVA_OPTIONS",
                            "Error: Unmatched quote in environment variable JDK_JAVA_OPTIONS"))
        return []
    ctx.sources.append("JDK_JAVA_OPTIONS")
    args = _expand_argfiles(ctx, join_templated([JvmOption(w, loc) for w in words],
                                                templated_runs))
    for arg in args:
        if arg.text in TERMINAL_OPTIONS or arg.text.startswith("--module="):
            ctx.refused.append((loc, arg.text, f"Error: Option {arg.text} is not allowed in "
                                "environment variable JDK_JAVA_OPTIONS"))
            return []
    if main_class_index([a.text for a in args]) is not None:
        ctx.refused.append((loc, "JDK_JAVA_OPTIONS", "Error: Cannot specify main class in "
                            "environment variable JDK_JAVA_OPTIONS"))
        return []
    return java_vm_options(args)


def _vm_env_source(ctx: _Ctx, env: Env, var: str) -> FlagSource | None:
    """JAVA_TOOL_OPTIONS / _JAVA_OPTIONS, read by HotSpot (``parse_options_buffer``): no
    @argfiles, an unmatched quote stops the JVM."""
    if var not in env:
        return None
    value, loc = env[var]
    words = split_env_options(value)
    if words is None:
        ctx.refused.append((loc, var, f"Unmatched quote in {var}"))
        return None
    options = []
    for w in words:
        if w.startswith("@"):
            ctx.refused.append((loc, w, f"Unrecognized option: {w}"))
        else:
            options.append(JvmOption(w, loc))
    ctx.sources.append(var)
    return FlagSource(var, options)


def _script_words(launcher: Launcher, var: str, value: str, loc: Loc, env: Env) -> list[JvmOption]:
    """A launcher variable's words as the script expands them."""
    if launcher.split == "eval":
        words = split_shell(value, {k: v for k, (v, _) in env.items()})
    elif launcher.split == "java":
        words = [w for w in re.split(r"[ \t\n\x0b\f\r]+", value) if w]
    else:
        words = value.split()
    return [JvmOption(w, loc) for w in words]


def _script_sources(ctx: _Ctx, launcher: Launcher, env: Env, exec_loc: Loc) -> list[FlagSource]:
    """The options a start script puts on the java command line, in its order: each
    variable (or the script's default when it is empty), with the line that set it."""
    defaults = dict(launcher.defaults)
    out = []
    for var in launcher.variables:
        value, loc = env.get(var, ("", exec_loc))
        label = var
        if launcher.kind == "zookeeper" and var == "ZK_SERVER_HEAP":
            value, label = f"-Xmx{value or '1000'}m", "zkEnv.sh -Xmx${ZK_SERVER_HEAP:-1000}m"
        elif not value and var in defaults:
            value, loc, label = defaults[var], exec_loc, f"{var} (the launcher's default)"
        if value:
            out.append(FlagSource(label, _script_words(launcher, var, value, loc, env)))
    return out


def _jvm_options_files(ctx: _Ctx, launcher: Launcher, env: Env) -> list[FlagSource]:
    """Elasticsearch/OpenSearch: ``jvm.options`` then ``jvm.options.d/*.options`` sorted by
    name, in the configuration directory (ES_PATH_CONF / OPENSEARCH_PATH_CONF)."""
    conf = env.get(launcher.conf_var, (launcher.conf_default, None))[0] or launcher.conf_default
    paths = [f"{conf}/jvm.options"]
    paths += [f"{conf}/jvm.options.d/{n}" for n in ctx.tree.listdir(f"{conf}/jvm.options.d")
              if n.endswith(".options")]
    out = []
    for path in paths:
        if ctx.tree.lookup(path).kind == "missing":
            continue
        got = ctx.read(path)  # a directory or a link loop is reported here
        if got is None:
            continue
        parsed = ctx.parsed(parse_jvm_options(got[1], got[0], ctx.problems, ctx.jdk_major))
        for bad in parsed.invalid:
            # by path and line only: jvm.options.d takes any file, which may be no options file
            ctx.refused.append((bad.loc, "", "improperly formatted JVM option (not jvm.options "
                                "syntax)"))
        subst = {"ES_PATH_CONF": conf, "ES_TMPDIR": "${ES_TMPDIR}"}
        options = [JvmOption(_substitute(o.text, subst), o.loc) for o in parsed]
        out.append(FlagSource(got[0], options))
    return out


def _substitute(text: str, subst: Mapping[str, str]) -> str:
    for key, value in subst.items():
        text = text.replace("${" + key + "}", value)
    return text


def es_auto_heap_mib(memory: int) -> int:
    """Elasticsearch's heap for a data (or unassigned-role) node, in MiB
    (``MachineDependentHeap.MachineNodeRole.DATA``): 40% of memory (at least 128 MiB) below
    1 GiB, else 50% up to 31 GiB."""
    if memory < GIB:
        return max(int(memory * 0.4), 128 * MIB) // MIB
    return min(int(memory * 0.5), 31 * GIB) // MIB


def _es_memory(sources: Sequence[FlagSource], visible_ram: int | None) -> int | None:
    """``-Des.total_memory_bytes`` overrides the memory Elasticsearch sizes for."""
    for source in sources:
        for o in source.options:
            if o.text.startswith("-Des.total_memory_bytes="):
                try:
                    visible_ram = int(o.text.split("=", 1)[1])
                except ValueError:
                    pass
    return visible_ram


def _es_ergonomics(ctx: _Ctx, launcher: Launcher, before: list[FlagSource], es: list[FlagSource],
                   after: list[FlagSource], visible_ram: int | None, cpus: int | None,
                   exec_loc: Loc) -> list[FlagSource]:
    """Elasticsearch's own additions after the user's options: the auto heap (-Xms = -Xmx)
    when no heap size is set anywhere, then ``-XX:MaxDirectMemorySize`` = heap / 2 when it
    is 0 or unset (JvmErgonomics.java). OpenSearch (forked from Elasticsearch 7.10, before
    MachineDependentHeap) adds only the direct-memory half: its launcher's
    JvmErgonomics.choose() adds ``-XX:MaxDirectMemorySize=`` heapSize / 2 when
    PrintFlagsFinal shows 0 and no user option starts with ``-XX:MaxDirectMemorySize``."""
    if launcher.kind not in ("elasticsearch", "opensearch"):
        return []
    name = "Elasticsearch" if launcher.kind == "elasticsearch" else "OpenSearch"
    added: list[FlagSource] = []
    flags = collect_flags([*before, *es, *after], jdk_major=ctx.jdk_major)
    if launcher.kind == "elasticsearch" and not any(
            flags.explicit(n) for n in ("MaxHeapSize", "InitialHeapSize", "MinHeapSize")):
        memory = _es_memory(es, visible_ram)
        if memory is not None:
            mib = es_auto_heap_mib(memory)
            added.append(FlagSource("Elasticsearch auto heap (MachineDependentHeap, data node)",
                                    [JvmOption(f"-Xms{mib}m", exec_loc), JvmOption(f"-Xmx{mib}m", exec_loc)]))
    flags = collect_flags([*before, *es, *added, *after], jdk_major=ctx.jdk_major)
    if not flags.value("MaxDirectMemorySize", 0):
        heap = ergonomic_heap(visible_ram, flags, cpus=cpus, jdk_major=ctx.jdk_major).max_heap.bytes
        if heap is not None:
            added.append(FlagSource(f"{name} ergonomics (JvmErgonomics: heap / 2)",
                                    [JvmOption(f"-XX:MaxDirectMemorySize={heap // 2}", exec_loc)]))
    return added


def _launcher_env(ctx: _Ctx, launcher: Launcher | None, script: str, env: Env,
                  exported: set[str]) -> Env:
    """The script's variables: the unit's environment plus the files the script sources."""
    if launcher is None or not launcher.sourced:
        return env
    env = dict(env)
    home = posixpath.dirname(posixpath.dirname(script)) if script.startswith("/") else ""
    names = {"script": re.sub(r"^[SK][0-9]*", "", posixpath.basename(script)).removesuffix(".sh"),
             "CATALINA_HOME": env.get("CATALINA_HOME", (home, None))[0] or home}
    catalina_home = names["CATALINA_HOME"]
    names["CATALINA_BASE"] = env.get("CATALINA_BASE", (catalina_home, None))[0] or catalina_home
    for template in launcher.sourced:
        path = template.format(**names)
        if path.startswith("/") and ctx.tree.lookup(path).kind != "missing":  # else reported
            _source_shell_file(ctx, path, env, exported)
            if launcher.kind == "tomcat":
                break  # catalina.sh sources CATALINA_BASE's setenv.sh, else CATALINA_HOME's
    return env


def _command_line(ctx: _Ctx, found: Found, env: Env, exec_loc: Loc) -> list[FlagSource]:
    """The command-line part: java's own arguments (argfiles expanded, options before the
    main class) or the launcher script's variables and files."""
    script, launcher, args = found
    if launcher is None:
        return [FlagSource("command line", java_vm_options(_expand_argfiles(ctx, args[1:])))]
    sources = _jvm_options_files(ctx, launcher, env) if launcher.conf_var else []
    if launcher.kind == "elasticsearch":
        sources.insert(0, FlagSource("Elasticsearch system options",
                                     [JvmOption(o, Loc(exec_loc.path, 0))
                                      for o in ES_SYSTEM_OPTIONS]))
    sources += _script_sources(ctx, launcher, env, exec_loc)
    if launcher.kind == "jetty":
        sources += _jetty_exec_options(ctx, env)
    return sources


def _jetty_exec_options(ctx: _Ctx, env: Env) -> list[FlagSource]:
    """Jetty's start.jar: JVM options (``-X...``) in ``$JETTY_BASE/start.ini`` and
    ``start.d/*.ini`` (what ``--add-to-start=jvm`` copies from modules/jvm.mod) reach a
    JVM only with ``--exec``, which makes start.jar fork a second JVM with them (jetty 9.4
    modules/jvm.mod; StartArgs). Debian's jetty9 links ``start.ini`` and ``start.d`` of
    /usr/share/jetty9 to /etc/jetty9. The forked JVM's options are added after the
    launcher's own."""
    base = (env.get("JETTY_BASE", ("", None))[0] or env.get("JETTY_HOME", ("", None))[0]).rstrip("/")
    if not base:
        return []
    bases = [base] + (["/etc/jetty9"] if base == "/usr/share/jetty9" else [])
    paths: list[str] = []
    for b in bases:
        if ctx.tree.lookup(f"{b}/start.ini").kind == "file":
            paths.append(f"{b}/start.ini")
        paths += [f"{b}/start.d/{n}" for n in sorted(ctx.tree.listdir(f"{b}/start.d"))
                  if n.endswith(".ini")]
        if paths:
            break
    fork = False
    options: list[JvmOption] = []
    for path in paths:
        got = ctx.read(path)
        if got is None:
            continue
        for n, line in enumerate(got[1].split("\n"), start=1):
            word = line.strip()
            fork = fork or word == "--exec"
            if word.startswith("-X"):
                options.append(JvmOption(word, Loc(got[0], n)))
    if not fork or not options:
        return []
    return [FlagSource("start.d --exec (the JVM start.jar forks)", options)]


_MAX_WRAPPERS = 4  # start scripts followed from ExecStart= to the JVM
_MAX_EXEC_TRIED = 4  # exec lines of one script tried, the last ones first
_MAX_SCRIPT_BYTES = 1024 * 1024  # larger files are not start scripts (catalina.sh: 25 KiB)


def _looks_like_script(tree: Tree, path: str) -> bool:
    """A first look at the file's ``#!`` line, before it is read against the host's read
    budget: a daemon's binary is neither read nor counted."""
    size = tree.size(path)
    if size is None or size > _MAX_SCRIPT_BYTES:
        return False
    try:
        head = tree.fs.read(tree.lookup(path).target, 256)
    except OSError:  # sources/fs.py NotRegularFile and ReadError are OSErrors
        return False
    return is_shell_script(head.decode("utf-8", "replace"))
_VAR_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def _plain(env: Env) -> dict[str, str]:
    return {k: v for k, (v, _) in env.items()}


def _script_command(step: WrapperStep, env: Env, args: Sequence[JvmOption]) -> list[JvmOption]:
    """An ``exec`` line's command as the shell builds it: ``$VAR`` expanded (unquoted:
    split at whitespace), ``eval`` re-splitting the result (quotes removed), ``"$@"`` the
    script's own arguments, redirections dropped; a java command word becomes ``java``."""
    head, rest = first_word(step.value)
    words = split_shell_located(rest, env, step.loc)
    if step.quoted == "eval":
        words = [JvmOption(part, w.loc) for w in words for part in split_shell(w.text)]
    out: list[JvmOption] = []
    skip = False
    for w in words:
        if skip:
            skip = False
        elif w.text in ("$@", "$*"):
            out.extend(args)
        elif re.fullmatch(r"[0-9]*(?:[<>]|>>|<<|>&|<&|&>)", w.text):
            skip = True  # the redirection's target is the next word
        elif not re.match(r"[0-9]*(?:[<>]|&>)", w.text):
            out.append(w)
    if is_java_command(head):
        command = "java"
    else:
        expanded = split_shell(head, _plain(env))
        command = expanded[0] if expanded else ""
    return [JvmOption(command, step.loc), *out]


def _script_of_shell(argv: list[JvmOption]) -> list[JvmOption]:
    """``sh [-eu...] /path/script args`` runs the script: its words, the shell dropped (a
    ``-c`` command is detect_launcher_located's)."""
    if not argv or posixpath.basename(argv[0].text) not in SHELLS:
        return argv
    rest = list(argv[1:])
    while rest and rest[0].text.startswith("-"):
        if "c" in rest[0].text.lstrip("-"):
            return argv
        rest = rest[1:]
    return rest or argv


def _follow(ctx: _Ctx, argv: list[JvmOption], env: Env, chain: tuple[str, ...] = ()
            ) -> tuple[Found, Env] | None:
    """The JVM a command starts: java or a known launcher directly, else a start script in
    the tree read (never run) down to the ``exec`` line that starts java or a known
    launcher, with the variables the script sources and assigns on the way. Why a script
    could not be followed is kept in ``ctx.why_not``."""
    found = detect_launcher_located(argv, env)
    if found is not None:
        return found, env
    argv = _script_of_shell(argv)
    if not argv or not argv[0].text.startswith("/"):
        return None
    path = argv[0].text
    kind = ctx.tree.lookup(path).kind
    if kind == "missing":
        ctx.why_not.append(f"{shown(path)} is not in the tree")
        return None
    if kind != "file":
        return None
    if path in chain:
        ctx.why_not.append(f"{shown(path)} execs itself again (a loop of start scripts)")
        return None
    if len(chain) >= _MAX_WRAPPERS:
        ctx.why_not.append(f"more than {_MAX_WRAPPERS} start scripts in a row")
        return None
    if path not in ctx.scripts:
        got = ctx.tree.read_text(path, Problems()) if _looks_like_script(ctx.tree, path) else None
        ctx.scripts[path] = (got[0], parse_wrapper(got[1], got[0])) if got is not None and \
            is_shell_script(got[1]) else None
    script = ctx.scripts[path]
    if script is None:
        ctx.why_not.append(f"{shown(path)} is not a shell script")
        return None
    rel_path, steps = script
    env = dict(env)
    candidates: list[tuple[WrapperStep, Env]] = []
    for step in steps:
        if step.kind == "source":
            target = expand_shell_vars(step.path, _plain(env))
            if target.startswith("/") and ctx.tree.lookup(target).kind == "file":
                _source_shell_file(ctx, target, env, set())
        elif step.kind == "assign":
            value = step.value if step.quoted == "'" else expand_shell_vars(step.value, _plain(env))
            # X="${X:-default} ..." keeps the line that set X: the options came from there
            refs = [] if step.quoted == "'" else _VAR_REF.findall(step.value)
            origin = next((env[r][1] for r in refs if r in env and env[r][0]), step.loc)
            env[step.key] = (value, origin)
        else:
            candidates.append((step, dict(env)))
    tried = 0
    for step, at in reversed(candidates):
        head = first_word(step.value)[0].strip("'\"")
        if not (is_java_command(head) or head.startswith("/") or head.startswith("$")):
            continue
        tried += 1
        if tried > _MAX_EXEC_TRIED:
            break
        hit = _follow(ctx, _script_command(step, at, argv[1:]), at, (*chain, path))
        if hit is not None:
            if rel_path not in ctx.sources:
                ctx.sources.append(rel_path)
            return hit
    if not candidates:
        ctx.why_not.append(f"{shown(path)} has no exec line (it may start java in the "
                           "background or through another program)")
    elif not ctx.why_not:
        ctx.why_not.append(f"{shown(path)} execs no java command or known launcher")
    return None


def _find_jvm(ctx: _Ctx, commands: Sequence[Command], env: Env) -> tuple[Found, Loc, Env] | None:
    """The last ``ExecStart=`` command that starts a JVM, the words one template
    expression spans joined back into one argument; start scripts in the tree followed."""
    for argv, loc in reversed(commands):
        hit = _follow(ctx, join_templated(list(argv), templated_runs), env)
        if hit is not None:
            return hit[0], loc, hit[1]
    return None


def load_jvm(tree: Tree, unit_env: Any, exec_words: Any, problems: Problems, jdk_major: int = 17,
             visible_ram: int | None = None, *, name: str = "", cpus: int | None = None,
             host_ram: int | None = None, arch: str = "x86_64",
             ram_note: str = "the memory the JVM sees", bundled: bool = False,
             why_not: list[str] | None = None) -> JvmConfig | None:
    """The JVM a unit starts, or None when its ``ExecStart=`` starts none.

    `unit_env`: the loaded `Unit` (its environment and commands, model/systemd_exec.py
    `load_exec`), or bare settings (``Unit.settings``) whose environment is then built the
    same way here; `exec_words`: the ``ExecStart`` `Setting` (None: the unit's), or raw
    command lines. Files are
    read through `tree` only (absolute paths inside it). Sources apply in the JVM's order:
    JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, the command line (or the launcher's variables,
    files and defaults), Elasticsearch's additions, _JAVA_OPTIONS. `visible_ram` is the
    memory the JVM sees (see `ergonomic_heap`); `jdk_major` selects jvm.options lines and
    the JDK 9+ launcher features (JDK_JAVA_OPTIONS, @argfiles); with `bundled`, a launcher
    that ships its own JDK (Elasticsearch, OpenSearch) uses that JDK's major instead,
    unless its JAVA_HOME variable names another. `why_not` collects why a start script
    that ExecStart= runs could not be followed to a JVM.
    """
    ctx = _Ctx(tree, problems, jdk_major)
    if isinstance(unit_env, Unit) and exec_words is None:
        environment, commands = unit_env.env, unit_env.commands
    else:
        settings = getattr(unit_env, "settings", unit_env) or {}
        environment = exec_environment(tree, settings, ctx.env_file)
        commands = exec_commands(_exec_entries(exec_words, settings, name), environment.variables)
    ctx.sources.extend(environment.files)
    ctx.refused.extend(environment.refused)
    env = dict(environment.variables)
    hit = _find_jvm(ctx, commands, env)
    if why_not is not None:
        why_not.extend(ctx.why_not)
    if hit is None:
        return None
    return _build(ctx, hit[0], hit[1], hit[2], visible_ram=visible_ram, cpus=cpus,
                  host_ram=host_ram, arch=arch, ram_note=ram_note, bundled=bundled)


def jvm_from_argv(tree: Tree, argv: Sequence[Union[str, JvmOption]],
                  env: Mapping[str, Union[str, tuple[str, Loc]]], problems: Problems,
                  jdk_major: int = 17, visible_ram: int | None = None, *, loc: Loc | None = None,
                  cpus: int | None = None, host_ram: int | None = None, arch: str = "x86_64",
                  ram_note: str = "the memory the JVM sees") -> JvmConfig | None:
    """`load_jvm` for a command that is already known: `argv` (``java ...``, a launcher
    script, ``sh -c ...``; no systemd expansion) and its environment. None when it starts
    no JVM."""
    start = loc or Loc("command line", 0)
    located_env: Env = {k: (v if isinstance(v, tuple) else (v, start)) for k, v in env.items()}
    args = [a if isinstance(a, JvmOption) else JvmOption(a, start) for a in argv]
    ctx = _Ctx(tree, problems, jdk_major)
    hit = _follow(ctx, args, located_env)
    if hit is None:
        return None
    found, located_env = hit
    return _build(ctx, found, start, located_env, visible_ram=visible_ram, cpus=cpus,
                  host_ram=host_ram, arch=arch, ram_note=ram_note)


def _build(ctx: _Ctx, found: Found, exec_loc: Loc, env: Env, *, visible_ram: int | None,
           cpus: int | None, host_ram: int | None, arch: str, ram_note: str,
           bundled: bool = False) -> JvmConfig:
    """Sources in the JVM's order, collected and sized."""
    vendor = found[1]
    if bundled and vendor is not None and vendor.bundled_jdk and not any(
            env.get(v, ("", None))[0] for v in vendor.java_home_vars):
        ctx.jdk_major = vendor.bundled_jdk
    exported = set(env)
    script_env = _launcher_env(ctx, found[1], found[0], env, exported)
    jvm_env = {k: v for k, v in script_env.items() if k in exported}
    before = [src for src in (_vm_env_source(ctx, jvm_env, "JAVA_TOOL_OPTIONS"),) if src]
    jdk_opts = _jdk_java_options(ctx, jvm_env)
    if jdk_opts:
        before.append(FlagSource("JDK_JAVA_OPTIONS", jdk_opts))
    command = _command_line(ctx, found, script_env, exec_loc)
    after = [src for src in (_vm_env_source(ctx, jvm_env, "_JAVA_OPTIONS"),) if src]
    launcher = found[1]
    extra = _es_ergonomics(ctx, launcher, before, command, after, visible_ram, cpus,
                           exec_loc) if launcher else []
    flags = collect_flags([*before, *command, *extra, *after], templated_runs,
                          jdk_major=ctx.jdk_major)
    ctx.problems.items.extend(templated_setting(t.raw, t.loc) for t in flags.templated)
    config = resolve_jvm(flags, jdk_major=ctx.jdk_major, visible_ram=visible_ram, cpus=cpus,
                         arch=arch, host_ram=host_ram, ram_note=ram_note, sources=ctx.sources,
                         launcher=launcher.kind if launcher else "java", loc=exec_loc)
    early = set(ctx.refused)  # a set: both lists can be long in a hostile unit
    config.refused = ctx.refused + [r for r in config.refused if r not in early]
    config.pragmas = ctx.pragmas
    config.templated = tuple(t.loc for t in flags.templated)
    config.source_of = dict(flags.source_of)
    return config


# ======================================================================================
# Services that look like a JVM but cannot be followed to one (the evidence:
# model/services.py `jvm_evidence`)
# ======================================================================================


@dataclass(frozen=True)
class JvmUnmodelled:
    """A service whose unit or environment says it runs a JVM (`evidence`, written at
    `loc`) that oomlint could not follow to one (`reason`)."""

    name: str
    unit: Unit
    loc: Loc
    evidence: str
    reason: str


def jvm_unmodelled(unit: Unit, why_not: Sequence[str]) -> JvmUnmodelled | None:
    """A `JvmUnmodelled` for a unit `load_jvm` found no JVM in, when it looks like one."""
    evidence = jvm_evidence(unit)
    if evidence is None:
        return None
    argv = unit.exec_argv()
    reason = "; ".join(dict.fromkeys(why_not)) or (
        f"ExecStart= runs {shown(argv[0])}, which is neither java nor a launcher oomlint knows"
        if argv else "it has no command line")
    return JvmUnmodelled(unit.name, unit, evidence[1], evidence[0], reason)

