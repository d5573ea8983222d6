"""The deep check: fetching a page safely (and DNS for the e-mail check), reading it, caching what was read."""
