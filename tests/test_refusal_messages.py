"""A refusal is worded once: the parser or model records the reason, the check writes the
sentence (OOM402, OOM452, OOM507)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import write_tree

from oomlint.cli import main

CASES = {
    "OOM452": ({"etc/postgresql/15/main/postgresql.conf": "max_connections = 10 0\n"},
               'max_connections: syntax error near token "0"; postgres refuses to start '
               "with it, so postgresql@15-main.service stays down or restarts in a loop"),
    "OOM402": ({"etc/mysql/my.cnf": "[mysqld]\ninnodb_buffer_pool_size = 1x\n"},
               "refuses to start"),
    "OOM507": ({"etc/systemd/system/app.service":
                "[Service]\nEnvironmentFile=/etc/default/app\n"
                "ExecStart=/usr/bin/java -jar /opt/app/app.jar\n"},
               "app.service: EnvironmentFile=/etc/default/app: the file does not exist; the "
               "service cannot start, so it stays down or restarts in a loop"),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_refusal_says_it_once(tmp_path, monkeypatch, rule):
    files, expected = CASES[rule]
    write_tree(tmp_path / "host", files)
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["check", "host", "--format", "json", "--select", rule],
                           catch_exceptions=False)
    messages = [f["message"] for f in json.loads(r.output)["findings"]]
    assert len(messages) == 1, r.output
    assert expected in messages[0]
    for phrase in ("refuses to start", "cannot start"):
        assert messages[0].count(phrase) <= 1, messages[0]
    assert "refuses to start with this file" not in messages[0]


def test_elasticsearch_options_line_is_worded_once(tmp_path, monkeypatch):
    write_tree(tmp_path / "host", {
        "usr/lib/systemd/system/elasticsearch.service":
            "[Service]\nExecStart=/usr/share/elasticsearch/bin/systemd-entrypoint -p x\n",
        "etc/elasticsearch/jvm.options.d/heap.options": "-Xms1g\nXmx1g\n"})
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["check", "host", "--format", "json", "--select", "OOM507"],
                           catch_exceptions=False)
    [message] = [f["message"] for f in json.loads(r.output)["findings"]]
    assert message == ("elasticsearch.service: improperly formatted JVM option (not "
                       "jvm.options syntax); the service cannot start, so it stays down or "
                       "restarts in a loop")
