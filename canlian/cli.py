"""The `canlian` console command: the project's manage.py.

Command names may be written with hyphens (`canlian check-id`), as the documentation does.
Commands speak the interface's language (LANGUAGE_CODE: Chinese unless the environment sets
LANGUAGE_CODE=en): their help, messages and refusals go through gettext.
"""

import os
import sys


def activate_default_language() -> None:
    """Load the project and activate LANGUAGE_CODE for the command's messages. Settings that
    cannot load are left to Django's own command handling, which reports them."""
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured:
        return
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    activate_default_language()
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
