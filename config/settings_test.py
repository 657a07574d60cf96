"""Settings for the test suite and the type checker: production settings with a test key.

The production settings refuse to start without SECRET_KEY when DEBUG is off; tests run with
DEBUG off (as Django's test runner does anyway), so they get a key of their own here, unless
the environment already gives one. Nothing else differs from production.
"""

import os

os.environ.setdefault("SECRET_KEY", "canlian-tests-only-secret-key-" + "x" * 40)

from config.settings import *  # noqa: F403

# Static files come from the source folders, as in development: the suite runs on a fresh
# clone, before any `canlian collectstatic`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# No heartbeat thread in a worker run by a test: on SQLite its writes from a second
# connection would lock the test's tables (its loop is tested on its own, test_health.py).
WORKER_BEAT_SECONDS = 0
