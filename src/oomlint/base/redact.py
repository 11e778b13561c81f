"""What a message may show of the input: CI logs are public, and a checked file can hold a
password (``-Djavax.net.ssl.keyStorePassword=...``) or be one (an ``include`` of
``/etc/shadow``). A message interpolates at most one token of input text, through these
helpers: `word` (an option and its value up to the first whitespace) or `line_key` (the name a
line starts with), both masked and clipped; `clip` caps any other interpolated text and
`mask_secrets` hides the value of every password-like ``KEY=VALUE`` in it."""

from __future__ import annotations

import re

LIMIT = 80
ELLIPSIS = "…"
MASK = "***"
_MASKED = (f"'{MASK}'", f'"{MASK}"', MASK)

SECRET_NAME = re.compile(r"password|passwd|pwd|secret|token|apikey|api_key|credential|"
                         r"private_key", re.IGNORECASE)
# After a secret-like name: the rest of the key, "=" (spaces around it allowed) and the
# value, which runs to whitespace; a quoted part ('a b', "a b") is part of it.
_REST = re.compile(r"[\w.\-]*")
_VALUE = re.compile(r"([ \t]*=[ \t]*)((?:'[^'\n]*'|\"[^\"\n]*\"|\S)+)")
_QUOTED_VALUE = {q: re.compile(rf"([ \t]*=[ \t]*)([^{q}\n]+)") for q in "'\""}
_KEY_CHAR = re.compile(r"[\w.\-]")
_KEY = re.compile(r"[\w.\-/@%*+]+")


def clip(text: str, limit: int = LIMIT) -> str:
    """`text`, cut to at most `limit` characters with an ellipsis at the end."""
    return text if len(text) <= limit else text[:limit - 1] + ELLIPSIS


def secret_name(name: str) -> bool:
    """Whether a key or option name looks like a password, secret or token."""
    return SECRET_NAME.search(name) is not None


def _secret_spans(text: str):
    """(start, end) of each value `mask_secrets` hides. Linear in the length of `text`."""
    seen = 0  # names before this were looked at
    for m in SECRET_NAME.finditer(text):
        if m.start() < seen:
            continue
        seen = _REST.match(text, m.end()).end()
        start = m.start()
        while start > max(m.start() - 200, 0) and _KEY_CHAR.match(text, start - 1):
            start -= 1
        quote = text[start - 1] if start and text[start - 1] in "'\"" else ""
        # inside a quoted 'KEY=VALUE' the value ends at the closing quote
        v = (_QUOTED_VALUE[quote] if quote else _VALUE).match(text, seen)
        masked = v is not None and next((x for x in _MASKED if text.startswith(x, v.start(2))),
                                        None)
        if masked:
            seen = v.start(2) + len(masked)  # masked already: mask_secrets is idempotent
        elif v is not None:
            seen = v.end()
            yield v.start(2), v.end()


def mask_secrets(text: str) -> str:
    """`text` with the value of every password-, secret- or token-like ``KEY=VALUE`` replaced
    by ``***`` (``-Ddb.password=x`` -> ``-Ddb.password=***``, ``DB_PASSWORD = 'a b'`` ->
    ``DB_PASSWORD = ***``)."""
    out: list[str] = []
    done = 0
    for start, end in _secret_spans(text):
        out += [text[done:start], MASK]
        done = end
    return "".join(out) + text[done:]


def secrets_in(text: str) -> list[str]:
    """The values `mask_secrets` hides in `text`, as written and without their quotes: to
    hide them too where a message repeats them apart from their key."""
    out = []
    for start, end in _secret_spans(text):
        value = text[start:end]
        out += [value] + ([value[1:-1]] if len(value) > 1 and value[0] == value[-1] and
                          value[0] in "'\"" else [])
    return [v for v in out if v]


def mask_value(name: str, value: str, limit: int = LIMIT) -> str:
    """A value as a message may show it: ``***`` when `name` looks like a secret, else
    masked and clipped."""
    return MASK if secret_name(name) else clip(mask_secrets(value), limit)


def shown(text: str, limit: int = LIMIT) -> str:
    """Input text as a message may show it: secrets masked, then clipped (only the head
    that can be shown is looked at, so a long hostile line costs nothing)."""
    head = text[:4 * limit]
    out = mask_secrets(head)
    return clip(out if len(head) == len(text) else out + ELLIPSIS, limit)


def word(text: str, limit: int = LIMIT) -> str:
    """The first whitespace-separated word of `text` (an option and its value: ``-Xmx2g
    -Dx=y`` -> ``-Xmx2g…``), masked and clipped; an ellipsis marks the words left out. A
    single word keeps its surrounding whitespace (``-Xmx1g `` is refused for it)."""
    words = text.split(None, 1)
    if len(words) < 2:
        return shown(text, limit)
    out = shown(words[0], limit)
    return out if out.endswith(ELLIPSIS) else out + ELLIPSIS


def line_key(text: str, limit: int = 40) -> str:
    """The name a line starts with (letters, digits and ``_.-/@%*+``; a leading ``[`` is
    kept), clipped, with an ellipsis when the line goes on: what a message shows of a line
    that is not in the expected format (``root:$6$...`` -> ``root…``)."""
    stripped = text.strip()
    bracket = "[" if stripped.startswith("[") else ""
    m = _KEY.match(stripped, len(bracket))
    name = bracket + (m.group() if m else "")
    out = clip(name, limit)
    return out if name == stripped or out.endswith(ELLIPSIS) else out + ELLIPSIS
