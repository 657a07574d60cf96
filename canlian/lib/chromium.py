"""The headless Chromium that browser tests and screenshots drive: Debian's, never a download."""

import os

EXECUTABLE = os.environ.get("CANLIAN_CHROMIUM", "/usr/bin/chromium")
# Without the networking flags Chromium keeps trying to reach Google's hosts, which a closed
# network refuses many times a second.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}


def available() -> bool:
    return os.access(EXECUTABLE, os.X_OK)
