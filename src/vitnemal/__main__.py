"""`python -m vitnemal`."""

from vitnemal.cli import main

main()
