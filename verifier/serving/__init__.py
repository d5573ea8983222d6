"""Serving: the runtime that wires settings to a verified registry, registry reloads, logs."""
