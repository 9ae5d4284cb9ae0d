"""File permissions for what the product keeps on disk.

``var/`` holds the SQLite database, generated secrets, the SMS outbox, uploads and the audit
checkpoints: all of it personal or secret, so the folder and the database files are made
readable by their owner only, whatever the umask of whoever started the process.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from django.conf import settings


def restrict_var_dir() -> None:
    var_dir = Path(settings.VAR_DIR)
    if not var_dir.is_dir():
        return
    with contextlib.suppress(PermissionError):
        var_dir.chmod(0o700)
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        name = str(database["NAME"])
        for path in (name, f"{name}-wal", f"{name}-shm"):
            if os.path.exists(path):
                with contextlib.suppress(PermissionError):
                    os.chmod(path, 0o600)
