"""The ``parcours`` console command: Django's manage.py with Parcours' default settings."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["parcours", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
