"""The baseline of `bench/api.py`: the cheapest Flask JSON endpoint, ``GET/POST /ok`` →
``{"ok": true}``, served exactly as ``verifier serve`` serves the checker (gunicorn, 1 worker,
8 threads, gthread, access log on), so the checker's cost reads as a ratio of it."""

from __future__ import annotations

from flask import Flask, jsonify

app = Flask(__name__)


@app.route("/ok", methods=["GET", "POST"])
def ok():
    return jsonify(ok=True)
