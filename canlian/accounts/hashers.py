"""How passwords are stored: Argon2id with the parameters OWASP names first (19 MiB of
memory, two passes, one lane), through argon2-cffi (docs/decisions/0025-argon2id-passwords.md).

Django's own Argon2 hasher with its defaults (100 MiB, eight lanes) costs about 140 ms of
both cores here; PBKDF2 with Django's 1,000,000 iterations about 260 ms of one. These
parameters take about 30 ms and resist guessing on graphics cards better than either:
memory, not only time, is what an attacker must pay for. A hash made with other parameters
or another hasher (PBKDF2, before this) is made again at the next sign-in."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (the ``argon2`` algorithm, Argon2id) with OWASP's first
    parameters. Same algorithm name: hashes made with Django's defaults still verify, and are
    made again with these."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
