"""`python -m oomlint` and the `oomlint` command.

`oomlint --version` alone is answered here, before click and the pipeline are imported: it
then costs about the interpreter's own start-up. The text is click's version_option's
(tests/test_startup.py compares them)."""

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from oomlint import __version__

        sys.stdout.write(f"oomlint, version {__version__}\n")
        return
    from oomlint.cli import main as cli_main

    cli_main(prog_name="oomlint")


if __name__ == "__main__":
    main()
