"""The production server's application: every view imported and what is loaded frozen out of
the garbage collector's sight, when a worker loads it (not at the first request)."""

import os
import subprocess
import sys

SCRIPT = """
import gc, sys
import jiuzhu.wsgi
print(gc.get_freeze_count(), "jiuzhu.dispatch.views.board" in sys.modules)
"""


def test_a_worker_loads_every_view_and_freezes_what_it_loaded(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiuzhu.settings",
        "JIUZHU_DEMO": "1",
        "JIUZHU_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    frozen, views_loaded = int(out[0]), out[1] == "True"
    assert frozen > 50_000 and views_loaded
