"""The `canlian` console command: the project's manage.py.

Command names may be written with hyphens (`canlian check-id`), as the documentation does.
The project's commands speak the interface's language (LANGUAGE_CODE: Chinese unless the
environment sets LANGUAGE_CODE=en): their base, canlian.lib.commands.TranslatedCommand,
activates it around Django's own run_from_argv, once Django has read `--settings` and
`--pythonpath`, and writes a refusal as its message only.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
