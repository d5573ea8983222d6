"""A built wheel runs anywhere: installed into a fresh venv outside the checkout, its
``verifier`` checks and serves from the registry the wheel carries, with its state in the
per-user data directory (never inside the package).

Offline: the wheel is built without build isolation, and the fresh venv sees the project's
installed dependencies through a path entry, but not the checkout (the editable install's
finder lives in a ``.pth`` file of the project's venv, which a path entry does not run).
"""

from __future__ import annotations

import json
import site
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.served import free_port, wait_for
from verifier.config import PROJECT_ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    wheels = work / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(PROJECT_ROOT)],
        check=True, capture_output=True, cwd=work,
    )
    wheel = next(wheels.glob("*.whl"))
    venv = work / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    fresh_site = next((venv / "lib").glob("python3*/site-packages"))
    # the dependencies, not the project: a plain path entry to the project venv's packages
    (fresh_site / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    # pip installs into the fresh venv (--python), from the wheel only: offline, console script included
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet", "--no-index",
         "--no-deps", str(wheel)],
        check=True, capture_output=True,
    )
    bin_dir = venv / "bin"
    home = work / "home"
    home.mkdir()
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    return {"wheel": wheel, "venv": venv, "env": env, "cwd": work, "home": home}


def test_the_wheel_carries_the_signed_registry_and_keys(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    for needed in ("verifier/shipped/official_channels.json", "verifier/shipped/official_channels.json.minisig",
                   "verifier/keys/337BC20E9BCB9242.pub", "verifier/keys/F378E9B9331EEA64.pub"):
        assert needed in names
    shipped = zipfile.ZipFile(installed["wheel"]).read("verifier/shipped/official_channels.json")
    assert shipped == (PROJECT_ROOT / "data" / "official_channels.json").read_bytes()


def test_the_installed_verifier_checks_from_outside_the_checkout(installed):
    venv, env = installed["venv"], installed["env"]
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import verifier; print(verifier.__file__)"],
                           env=env, cwd=installed["cwd"], capture_output=True, text=True, check=True).stdout.strip()
    assert str(venv) in where and str(PROJECT_ROOT) not in where
    done = subprocess.run([str(venv / "bin" / "verifier"), "check", "--json", "tokenpocket.pro", "tokenpocket-support.top"],
                          env=env, cwd=installed["cwd"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["verdict"] for a in answers] == ["official", "impersonation"]
    # the state (rollback floor) went to the per-user data directory, not into the package
    assert (installed["home"] / ".local" / "share" / "tp-channel-verifier" / "verifier.sqlite3").is_file()
    assert not list(venv.rglob("verifier.sqlite3"))


def test_the_installed_verifier_serves(installed):
    venv, env = installed["venv"], installed["env"]
    port = free_port()
    log = installed["cwd"] / "serve.err"
    with open(log, "wb") as err:
        proc = subprocess.Popen([str(venv / "bin" / "verifier"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, cwd=installed["cwd"], stdout=subprocess.DEVNULL, stderr=err)
    try:
        def healthy() -> bool:
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200
            except OSError:
                return False

        assert wait_for(healthy, timeout=30), log.read_text(errors="replace")[-2000:]
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/check", data=b'{"input": "tpwallet.io"}',
                                         headers={"Content-Type": "application/json"})
        answer = json.load(urllib.request.urlopen(request, timeout=5))
        assert answer["verdict"] == "official"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert proc.returncode == 0  # a graceful stop on SIGTERM
