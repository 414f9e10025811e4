#!/usr/bin/env python
"""Same as the ``parcours`` command, for those used to manage.py."""

from parcours.cli import main

if __name__ == "__main__":
    main()
