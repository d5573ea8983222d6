"""The command line (`verifier ...`): each group of commands in its own module."""
