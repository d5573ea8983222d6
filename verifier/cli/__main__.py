"""`python -m verifier.cli`: the same as the `verifier` command."""

from verifier.cli.main import main

raise SystemExit(main())
