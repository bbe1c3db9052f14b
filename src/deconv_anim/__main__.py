"""``python -m deconv_anim`` runs the command line."""

from .cli import main

main(prog_name="deconv-anim")
