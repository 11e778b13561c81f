from oomlint.cli import main

main(prog_name="oomlint")
