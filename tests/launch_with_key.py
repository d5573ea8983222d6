"""Test launcher: ``python tests/launch_with_key.py KEY.pub ARGS...`` runs ``verifier ARGS...``
pinning only the ephemeral public key in KEY.pub (a minisign public key file).

For the tests that serve a registry signed by a test key in a real ``verifier serve``
process (a reload to a newer serial under gunicorn's SIGHUP). The product has no such
switch: it trusts only the keys in ``verifier/keys/``.
"""

import sys

import verifier.state.registry_files as loader
from verifier.signing import from_base64

_key = from_base64(open(sys.argv[1], encoding="ascii").read().splitlines()[1].strip())
loader.pinned_keys = lambda: (_key,)

from verifier.cli.main import main  # noqa: E402  (after pinning, as the fixtures do in-process)

sys.exit(main(sys.argv[2:]))
