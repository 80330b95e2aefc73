"""`python -m vitnemal.cli`."""

from vitnemal.cli import main

main()
