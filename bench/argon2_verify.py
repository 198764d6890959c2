"""Time one password verification with the project's Argon2id parameters.

.venv/bin/python bench/argon2_verify.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmsite.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import check_password, make_password  # noqa: E402

ROUNDS = 20
encoded = make_password("correct horse battery")
timings = []
for _ in range(ROUNDS):
    start = time.perf_counter()
    assert check_password("correct horse battery", encoded)
    timings.append((time.perf_counter() - start) * 1000)
print(f"hash: {' '.join(encoded.split('$')[1:4])}")
print(f"argon2id verify: median {statistics.median(timings):.1f} ms, min {min(timings):.1f} ms over {ROUNDS} rounds")
