"""A throwaway SoftHSM token for tests and demos of PKCS#11 signing (Debian package ``softhsm2``).

:func:`softhsm_token` makes a token in its own directory (``SOFTHSM2_CONF`` points there while it is in use) and
imports a PEM private key under a label, then deletes the key file: from then on the key exists on the token only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SOFTHSM_LIBS = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")


@dataclass(frozen=True)
class Token:
    lib: str
    label: str
    pin: str
    key_label: str


def softhsm_paths() -> tuple[str, str] | None:
    """Return ``(module, softhsm2-util)`` when SoftHSM is installed, else None."""
    lib = next((p for p in SOFTHSM_LIBS if Path(p).exists()), None)
    tool = shutil.which("softhsm2-util")
    return (lib, tool) if lib and tool else None


@contextmanager
def softhsm_token(directory: Path, key_pem: Path, *, label: str = "vitnemal-test", pin: str = "1234",
                  key_label: str = "dokumentsignering") -> Iterator[Token]:
    """Yield a fresh token under ``directory`` holding ``key_pem`` (which is deleted); restore SOFTHSM2_CONF after."""
    found = softhsm_paths()
    if found is None:
        raise RuntimeError("SoftHSM is not installed (Debian package softhsm2)")
    lib, tool = found
    (directory / "tokens").mkdir(parents=True, exist_ok=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    try:
        subprocess.run([tool, "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", "12345678"],
                       check=True, capture_output=True)
        subprocess.run([tool, "--import", str(key_pem), "--token", label, "--label", key_label, "--id", "01",
                        "--pin", pin], check=True, capture_output=True)
        key_pem.unlink()
        yield Token(lib, label, pin, key_label)
    finally:
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous
