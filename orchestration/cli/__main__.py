"""`python -m orchestration.cli` is `ppa`."""

from orchestration.cli import main

main()
