"""MkDocs hook: render the service's own OpenAPI document into the API reference page.

The document comes from the code (``verifier.web.openapi``), so the reference cannot drift
from what the server answers; the page ``api-reference.md`` holds a marker that is replaced by
one section per operation (method, path, summary, parameters, request body, responses).
"""

from __future__ import annotations

import json

MARKER = "<!-- openapi -->"


def _document() -> dict:
    from verifier.web.openapi import document

    return document()


def _schema_text(schema: dict) -> str:
    if "$ref" in schema:
        return "`" + schema["$ref"].rsplit("/", 1)[-1] + "`"
    kind = schema.get("type", "object")
    if kind == "array":
        return f"array of {_schema_text(schema.get('items', {}))}"
    return f"`{kind}`"


def render(doc: dict) -> str:
    out: list[str] = [f"OpenAPI {doc.get('openapi', '')}, `{doc['info']['title']}` {doc['info'].get('version', '')}.", ""]
    for path, operations in doc.get("paths", {}).items():
        for method, op in operations.items():
            if method not in ("get", "post", "put", "delete", "patch"):
                continue
            out += [f"## `{method.upper()} {path}`", "", op.get("summary", ""), ""]
            if op.get("description"):
                out += [op["description"], ""]
            params = op.get("parameters", [])
            if params:
                out += ["| parameter | in | required | type | description |", "|---|---|---|---|---|"]
                for p in params:
                    desc = (p.get("description") or "").replace("|", "\\|").replace("\n", " ")
                    out.append(f"| `{p['name']}` | {p['in']} | {'yes' if p.get('required') else 'no'} | {_schema_text(p.get('schema', {}))} | {desc} |")
                out.append("")
            body = op.get("requestBody", {}).get("content", {})
            for media, content in body.items():
                out += [f"Request body (`{media}`): {_schema_text(content.get('schema', {}))}", ""]
            responses = op.get("responses", {})
            if responses:
                out += ["| status | meaning |", "|---|---|"]
                for status, response in responses.items():
                    desc = (response.get("description") or "").replace("|", "\\|").replace("\n", " ")
                    out.append(f"| {status} | {desc} |")
                out.append("")
    schemas = doc.get("components", {}).get("schemas", {})
    if schemas:
        out += ["## Schemas", "", "```json", json.dumps(schemas, indent=2, ensure_ascii=False)[:200_000], "```", ""]
    return "\n".join(out)


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ANN001 (MkDocs' hook signature)
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, render(_document()))
