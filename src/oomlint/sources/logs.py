"""Reading a kernel log for `oomlint explain`: a regular file or standard input, bounded.

A log is read in chunks and only its last `MAX_LOG_BYTES` are kept (the newest reports are
the ones that matter), with the number of the first line kept so that line numbers stay
those of the file. Bytes that are not UTF-8 are kept as ``surrogateescape`` characters
(shown as ``\\xNN``), NUL bytes are kept for the parser to drop: a log is never refused for
its content, only for not being readable. Files are opened the way sources/fs.py opens a
host's files (read-only, not following a link at the last component, never blocking) and
must be regular files.
"""

from __future__ import annotations

import os
import stat
from collections import deque
from dataclasses import dataclass
from typing import BinaryIO

MAX_LOG_BYTES = 64 * 1024 * 1024
_CHUNK = 1 << 20


class LogError(OSError):
    """The log cannot be read; the message says why."""


@dataclass(frozen=True)
class Log:
    shown: str  # the name as given ("-" for standard input)
    text: str
    first_line: int  # the line number of the first line of `text`
    skipped_bytes: int  # bytes before what was kept (0: the whole log)


def _read_stream(shown: str, read, limit: int) -> Log:
    kept: deque[bytes] = deque()
    size = 0
    skipped = 0
    skipped_lines = 0
    while True:
        chunk = read(_CHUNK)
        if not chunk:
            break
        kept.append(chunk)
        size += len(chunk)
        while size - len(kept[0]) >= limit:
            old = kept.popleft()
            size -= len(old)
            skipped += len(old)
            skipped_lines += old.count(b"\n")
    data = b"".join(kept)
    kept.clear()
    if size > limit:
        cut = size - limit
        skipped += cut
        skipped_lines += data[:cut].count(b"\n")
        data = data[cut:]
    if skipped:  # start at a whole line
        nl = data.find(b"\n")
        if nl >= 0:
            skipped += nl + 1
            skipped_lines += 1
            data = data[nl + 1:]
    return Log(shown, data.decode("utf-8", "surrogateescape"), skipped_lines + 1, skipped)


def read_log(name: str, stdin: BinaryIO | None = None, limit: int | None = None) -> Log:
    """The log `name` ("-": `stdin`), its last `limit` bytes (`MAX_LOG_BYTES`). Raises
    `LogError` with the reason when it cannot be read."""
    limit = MAX_LOG_BYTES if limit is None else limit
    if name == "-":
        if stdin is None:
            raise LogError("no standard input")
        return _read_stream(name, stdin.read, limit)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(name, flags)
    except OSError as exc:
        if os.path.islink(name):  # a link is fine when the user names it: follow it once
            try:
                fd = os.open(os.path.realpath(name), flags)
            except OSError as exc2:
                raise LogError(exc2.strerror or "cannot open") from None
        else:
            raise LogError(exc.strerror or "cannot open") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise LogError("not a regular file (give - and pipe it in)")
        try:
            return _read_stream(name, lambda n: os.read(fd, n), limit)
        except OSError as exc:
            raise LogError(exc.strerror or "read error") from None
    finally:
        os.close(fd)
