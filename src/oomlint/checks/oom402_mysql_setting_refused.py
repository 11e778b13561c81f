"""OOM402 mysql-setting-refused. Published text: rules/OOM402.yaml."""

from __future__ import annotations

from oomlint.findings import Finding

RULE = "OOM402"
KIND = "mysql"
SERVER = "mysqld"


def check(host, opts):
    seen = set()
    for db in host.databases:
        if db.config.kind != KIND:
            continue
        for loc, written, reason in db.config.refused:
            if (loc, written) in seen:
                continue
            seen.add((loc, written))
            yield Finding(RULE, f"{written}: {reason}; {SERVER} refuses to start with it, so "
                          f"{db.name} stays down or restarts in a loop", loc)
