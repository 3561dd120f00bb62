"""Run the command-line interface with ``python -m lutlearn``."""

from lutlearn.cli import main

raise SystemExit(main())
