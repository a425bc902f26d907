"""The `srdi` command: the CLI door into the platform.

`srdi <command> [args]` runs any of the platform's commands (import, export, template, demo,
evaluate, report, rewards, match, targets, bulletin, …) and every Django management command
(migrate, createsuperuser, …). `srdi` alone lists them.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srdi.settings")
    argv = list(sys.argv if argv is None else ["srdi", *argv])
    argv[0] = "srdi"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
