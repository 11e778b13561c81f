"""OOM201 through the CLI: OOMScoreAdjust=-1000 written into /usr/lib by configuration
management is reported; the distribution's own units (name AND packaged ExecStart=) are not."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from oomlint.checks.oom201_unkillable_service import DISTRIBUTION_UNITS
from oomlint.cli import main

CASES = Path(__file__).parent / "checks" / "OOM201"
STOCK = Path(__file__).parent / "data" / "debian-stock"


def run(path):
    r = CliRunner().invoke(main, ["check", str(path), "--select", "OOM201", "--fail-on",
                                  "never"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.output


def test_role_written_unit_in_usr_lib_is_reported():
    out = run(CASES / "fires-ansible-role-usr-lib")  # before: "No findings."
    assert "usr/lib/systemd/system/consul.service:23: OOM201 [warning] consul.service: " \
        "OOMScoreAdjust=-1000" in out


def test_distribution_units_by_name_and_content():
    assert run(CASES / "quiet-distribution-dm-event").strip() == "No findings."
    assert "dm-event.service:15: OOM201" in run(CASES / "fires-distribution-name-other-command")
    # Debian's udev ships systemd-udevd.service at -1000: on the list, and quiet in the stock
    # tree, whose packaged command line is the one listed.
    argv = next(line.split("=", 1)[1].split() for line in
                (STOCK / "lib/systemd/system/systemd-udevd.service").read_text().splitlines()
                if line.startswith("ExecStart="))
    assert tuple(argv) in DISTRIBUTION_UNITS["systemd-udevd.service"][0]
    assert "OOM201" not in run(STOCK)
    assert all(source for _, source in DISTRIBUTION_UNITS.values())
