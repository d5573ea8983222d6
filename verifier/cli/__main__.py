"""`python -m verifier.cli.main`: the same as the `verifier` command."""

from verifier.cli.main.main import main

raise SystemExit(main())
