"""zram-generator.conf: its INI syntax and its size expressions (fasteval), as
zram-generator reads them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from oomlint.base.findings import Pragma, Problems
from oomlint.base.ids import SYNTAX_ERROR
from oomlint.base.provenance import Loc
from oomlint.base.redact import line_key, shown
from oomlint.parsers.lines import PragmaCollector, content_lines


@dataclass(frozen=True)
class IniValue:
    section: str
    key: str
    value: str
    loc: Loc


@dataclass
class IniFile:
    path: str
    values: list[IniValue] = field(default_factory=list)
    sections: dict[str, Loc] = field(default_factory=dict)
    pragmas: list[Pragma] = field(default_factory=list)


def _shown(token):
    """A token in an error message: input text masked and clipped, a number as it is."""
    return shown(token) if isinstance(token, str) else token


def parse_ini(text: str, path: str, problems: Problems) -> IniFile:
    """zram-generator.conf: ``[zramN]`` sections with ``key = value`` (the rust-ini crate:
    ``#`` and ``;`` comment lines)."""
    out = IniFile(path)
    pragmas = PragmaCollector(path)
    section = ""
    for lineno, line in content_lines(text, pragmas, "#;"):
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            out.sections.setdefault(section, Loc(path, lineno))
            continue
        if "=" not in line:
            problems.add(SYNTAX_ERROR, Loc(path, lineno), f"'{line_key(line)}' is not 'key = value'")
            continue
        key, _, value = line.partition("=")
        out.values.append(IniValue(section, key.strip(), value.strip(), Loc(path, lineno)))
    out.pragmas = pragmas.pragmas
    return out


# -- zram-generator size expressions (fasteval) ------------------------------------------

_SI = {"T": 1e12, "G": 1e9, "M": 1e6, "K": 1e3, "k": 1e3, "m": 1e-3, "u": 1e-6, "µ": 1e-6,
       "n": 1e-9, "p": 1e-12}
_FUNCS = {
    "min": min, "max": max, "floor": math.floor, "ceil": math.ceil, "round": round,
    "abs": abs, "int": int, "log": lambda *a: math.log(a[-1], a[0] if len(a) > 1 else 10),
}  # fmt: skip
_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?)([TGMKkmuµnp](?![A-Za-z_]))?|([A-Za-z_]\w*)|(\S))")


class ExprError(ValueError):
    pass


MAX_EXPR_DEPTH = 32  # fasteval's default expression depth limit


def _real(value: object) -> float:
    """A finite real result, or ExprError (``(-8) ^ 0.5`` is complex in Python, NaN in
    fasteval; an overflow is infinite)."""
    if not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value):
        raise ExprError(f"the result is not a finite number ({value!r})")
    return float(value)


def eval_zram_expr(text: str, ram_mib: int | None) -> float:
    """Evaluate a zram-size expression; `ram` is the host's MemTotal in MiB. Raises
    ExprError for syntax errors and when `ram` is needed but unknown."""
    tokens = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        if m.group(1):
            tokens.append(("num", float(m.group(1)) * _SI.get(m.group(2) or "", 1)))
        elif m.group(3):
            tokens.append(("name", m.group(3)))
        elif m.group(4):
            tokens.append(("op", m.group(4)))
    if text[pos:].strip():
        raise ExprError(f"cannot parse '{shown(text[pos:])}'")
    parser = _ExprParser(tokens, ram_mib)
    try:
        value = parser.expr()
    except (ArithmeticError, ValueError, TypeError) as exc:  # log(1, 1), 0 ^ -1, 10 ^ 999
        raise ExprError(str(exc) or type(exc).__name__) from None
    if parser.i != len(tokens):
        raise ExprError(f"unexpected '{_shown(tokens[parser.i][1])}'")
    return _real(value)


class _ExprParser:
    def __init__(self, tokens, ram_mib):
        self.t = tokens
        self.i = 0
        self.ram = ram_mib
        self.depth = 0

    def _nested(self, parse):
        """Call `parse` one level deeper: parentheses, function arguments, unary signs and
        the right-associative ``^`` recurse, and a hostile expression must not exhaust
        Python's stack."""
        self.depth += 1
        if self.depth > MAX_EXPR_DEPTH:
            raise ExprError(f"expression nested deeper than {MAX_EXPR_DEPTH} levels")
        try:
            return parse()
        finally:
            self.depth -= 1

    def _peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def _op(self, *ops):
        kind, val = self._peek()
        if kind == "op" and val in ops:
            self.i += 1
            return val
        return None

    def expr(self):
        v = self.term()
        while (op := self._op("+", "-")) is not None:
            r = self.term()
            v = v + r if op == "+" else v - r
        return v

    def term(self):
        v = self.power()
        while (op := self._op("*", "/", "%")) is not None:
            r = self.power()
            if op != "*" and r == 0:
                raise ExprError("division by zero")
            v = v * r if op == "*" else (v / r if op == "/" else math.fmod(v, r))
        return v

    def power(self):
        v = self.unary()
        if self._op("^") is not None:
            return _real(v ** self._nested(self.power))
        return v

    def unary(self):
        if self._op("-") is not None:
            return -self._nested(self.unary)
        if self._op("+") is not None:
            return self._nested(self.unary)
        return self.atom()

    def atom(self):
        kind, val = self._peek()
        if kind is None:
            raise ExprError("unexpected end of expression")
        self.i += 1
        if kind == "num":
            return val
        if kind == "op" and val == "(":
            v = self._nested(self.expr)
            if self._op(")") is None:
                raise ExprError("missing ')'")
            return v
        if kind == "name":
            if val == "ram":
                if self.ram is None:
                    raise ExprError("needs the host's RAM")
                return float(self.ram)
            if val == "e":
                return math.e
            if val == "pi":
                return math.pi
            if val in _FUNCS:
                if self._op("(") is None:
                    raise ExprError(f"{val} needs '('")
                args = [self._nested(self.expr)]
                while self._op(",") is not None:
                    args.append(self._nested(self.expr))
                if self._op(")") is None:
                    raise ExprError("missing ')'")
                return float(_FUNCS[val](*args))
            raise ExprError(f"unknown name '{_shown(val)}'")
        raise ExprError(f"unexpected '{_shown(val)}'")
