"""Record what systemd 252 and systemd-sysctl do with a UTF-8 byte-order mark.

Run on Debian 12 with systemd installed: python tests/data/bom/record.py
It writes tests/data/bom/recorded.yaml, which tests/test_bom.py compares oomlint with, so
the suite runs without systemd. Units are verified with `systemd-analyze verify`;
sysctl files are applied by `systemd-sysctl FILE` in a container whose /proc/sys refuses
the writes, which is how the key systemd-sysctl derived is seen ("Setting '...' to '...'").
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

import yaml

BOM = "\ufeff"
UNITS = {
    "bom-header.service": BOM + "[Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\nMemoryMax=2GB\n",
    "bom-comment.service": BOM + "# comment\n[Service]\nExecStart=/bin/true\nMemoryMax=3GB\n",
    "space-bom.service": " " + BOM + "[Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\n",
    "bom-space.service": BOM + "  [Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\nMemoryMax=2GB\n",
    "bom-blank.service": BOM + "\n[Service]\nExecStart=/bin/true\nMemoryMax=7GB\n",
    "plain.service": "[Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\n",
    "plain.service.d/10.conf": BOM + "[Service]\nMemoryMax=5GB\n",
}
SYSCTL = {
    "bom-assignment.conf": BOM + "vm.swappiness = 10\nvm.oomlint_probe_a = 1\n",
    "bom-comment.conf": BOM + "# c\nvm.oomlint_probe_b = 1\n",
}


def main() -> None:
    out: dict = {"systemd": "systemd-analyze verify (systemd 252)", "units": {}, "sysctl": {}}
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        for name, text in UNITS.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        env = dict(os.environ, SYSTEMD_LOG_LEVEL="debug")
        for name in UNITS:
            if "/" in name:
                continue
            r = subprocess.run(["systemd-analyze", "verify", "--man=no", f"./{name}"], cwd=root,
                               env=env, capture_output=True, text=True)
            said = [ln.replace(d + "/", "") for ln in (r.stdout + r.stderr).splitlines()
                    if ln.startswith(d + "/")]
            out["units"][name] = {"text": UNITS[name], "said": said}
        for name in UNITS:
            if "/" in name:
                out["units"][name] = {"text": UNITS[name], "said": [
                    s for s in out["units"]["plain.service"]["said"] if s.startswith(name)]}
        for name, text in SYSTEMD_SYSCTL_CASES(root):
            r = subprocess.run(["/lib/systemd/systemd-sysctl", str(root / name)], env=env,
                               capture_output=True, text=True)
            said = [ln.replace(d + "/", "") for ln in (r.stdout + r.stderr).splitlines()
                    if re.match(r"^(Setting|" + re.escape(d) + ")", ln)]
            out["sysctl"][name] = {"text": text, "said": said}
    Path(__file__).with_name("recorded.yaml").write_text(
        yaml.safe_dump(out, allow_unicode=False, sort_keys=False, width=200))


def SYSTEMD_SYSCTL_CASES(root: Path):
    for name, text in SYSCTL.items():
        (root / name).write_text(text)
        yield name, text


if __name__ == "__main__":
    main()
