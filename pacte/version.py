"""The code version stamped on every calculation run."""

import functools
import os
import subprocess
from importlib.metadata import version
from pathlib import Path


@functools.cache
def version_code() -> str:
    """PACTE_VERSION when the deployment sets it, else the git commit of the checkout, else the package version."""
    if os.environ.get("PACTE_VERSION"):
        return os.environ["PACTE_VERSION"]
    try:
        commit = subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--short=12", "HEAD"],  # noqa: S607
            cwd=Path(__file__).resolve().parent, capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
        return f"git-{commit}"
    except (OSError, subprocess.SubprocessError):
        return version("pacte")
