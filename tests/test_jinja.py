"""Issue 15: templates rendered with the host's variables (sources/templates.py), in a
Jinja2 sandbox, line for line with the template so that findings point into the `.j2` file;
an undefined variable or a template error is an OOM007 at its line, never a traceback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import write_tree

from oomlint.cli import main
from oomlint.sources.templates import render_template

MYCNF = """# {{ note | default('managed') }}
[mysqld]
{% if big %}
innodb_buffer_pool_size = {{ pool }}
{% endif %}
max_connections = {{ conns | int }}
{# a comment
   over two lines #}
tmp_table_size = {{ "64m" | upper }}"""


def test_rendered_line_for_line():
    r = render_template(MYCNF, {"big": True, "pool": "24G", "conns": "300"}, "my.cnf")
    assert r.exact and r.findings == ()
    lines = r.text.split("\n")
    assert len(lines) == len(MYCNF.split("\n"))
    assert lines[0] == "# managed"
    assert lines[2] == "" and lines[4] == ""  # the {% if %} and {% endif %} lines
    assert lines[3] == "innodb_buffer_pool_size = 24G"
    assert lines[5] == "max_connections = 300"
    assert lines[6] == "" and lines[7] == ""  # the comment's two lines
    assert lines[8] == "tmp_table_size = 64M"


def test_branch_not_taken_keeps_the_lines_after_it_in_place():
    r = render_template(MYCNF, {"big": False, "conns": 10}, "my.cnf")
    lines = r.text.split("\n")
    assert lines[3] == "" and lines[5] == "max_connections = 10"


def test_whitespace_control_keeps_lines_in_place():
    t = "a = 1\n{%- if x %}\nb = {{ x }}\n{%- endif %}\nc = 3\n"
    r = render_template(t, {"x": 2}, "f")
    assert r.exact and r.text.split("\n")[:5] == ["a = 1", "", "b = 2", "", "c = 3"]
    assert "\x00" not in r.text


def test_undefined_variable_is_a_finding_at_its_line_and_stays_unknown():
    r = render_template("[mysqld]\n\nmax_connections = {{ conns }}\n", {"x": 1}, "etc/my.cnf")
    assert r.text.split("\n")[2] == "max_connections = {{ conns }}"  # still a template value
    (f,) = r.findings
    assert (f.rule, f.loc.path, f.loc.line) == ("OOM007", "etc/my.cnf", 3)
    assert "conns" in f.message and "undefined variable" in f.message


@pytest.mark.parametrize("text,what", [
    ("a = {{ x \n", "syntax error"),
    ("{% include '/etc/passwd' %}\n", "cannot be rendered"),
    ("{% import 'x.j2' as m %}\n", "cannot be rendered"),
    ("a = {{ undefined_thing + 1 }}\n", "cannot be rendered"),
    ("a = {{ ().__class__.__base__.__subclasses__() }}\n", "cannot be rendered"),
])
def test_errors_and_escapes_are_findings_and_the_file_is_read_unrendered(text, what):
    r = render_template(text, {"v": 1}, "f.conf")
    assert r.text is None
    (f,) = r.findings
    assert f.rule == "OOM007" and what in f.message and "\x00" not in f.message


def test_sandbox_refuses_unsafe_attributes():
    r = render_template("a = {{ v.__class__ }}\nb = {{ v.__class__.__mro__ }}\n", {"v": 1},
                        "f.conf")
    assert "<class" not in (r.text or "")  # nothing of Python leaks out
    assert r.findings


def test_ansible_filters():
    t = ("a = {{ v | d('x') }}\nb = {{ '7' | int + 1 }}\nc = {{ 'yes' | bool }}\n"
         "d = {{ m | to_json }}\ne = {{ 'a-b' | regex_replace('-', '_') }}\n"
         "f = {{ l | join(',') }} {{ l | length }}\ng = {{ m | to_yaml }}\n")
    r = render_template(t, {"m": {"k": 1}, "l": ["x", "y"]}, "f")
    assert r.text.split("\n")[:7] == ["a = x", "b = 8", "c = True", 'd = {"k": 1}', "e = a_b",
                                      "f = x,y 2", "g = {k: 1}"]


def test_a_loop_emitting_several_lines_is_rendered_as_is():
    r = render_template("{% for n in [1, 2] %}\nkey{{ n }} = 1\n{% endfor %}\nlast = 1\n",
                        {"a": 1}, "f")
    assert not r.exact
    assert [ln for ln in r.text.split("\n") if ln] == ["key1 = 1", "key2 = 1", "last = 1"]


def test_loose_j2_template_is_recognised_as_the_file_it_renders_to(tmp_path, monkeypatch):
    """`templates/my.cnf.j2` given alone is /etc/mysql/my.cnf (it was skipped with exit 0);
    without variables its templated value is unknown: OOM007 at info, not an error."""
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path, {"roles/db/templates/my.cnf.j2":
                          "[mysqld]\ninnodb_buffer_pool_size = {{ pool }}\n"
                          "max_connections = 100\n"})
    r = CliRunner().invoke(main, ["check", "--format", "json", "--ram", "8G",
                                  "roles/db/templates/my.cnf.j2"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    found = json.loads(r.stdout)["findings"]
    templated = [f for f in found if f["rule"] == "OOM007"]
    assert templated and all(f["severity"] == "info" for f in templated)
    assert templated[0]["path"] == "roles/db/templates/my.cnf.j2" and templated[0]["line"] == 2
    assert not [f for f in found if f["severity"] == "error"]
