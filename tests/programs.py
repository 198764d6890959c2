"""Where the system programs the tests start are: Debian puts daemons (mariadbd, nginx,
start-stop-daemon) in /usr/sbin, which a user's or a CI runner's PATH may not hold."""

from __future__ import annotations

import os
import shutil

SYSTEM_DIRECTORIES = ("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin")


def program(name: str) -> str:
    """The path of `name`, from PATH or the system directories; a clear error when it is missing."""
    search = os.pathsep.join([os.environ.get("PATH", ""), *SYSTEM_DIRECTORIES])
    found = shutil.which(name, path=search)
    if found is None:
        raise RuntimeError(f"{name} is not installed: scripts/system-packages.sh test installs what the tests run")
    return found
