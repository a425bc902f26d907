"""The `srdi` command: the CLI door into the platform.

`srdi <command> [args]` runs any of the platform's commands (import, export, template, demo,
evaluate, report, rewards, match, targets, bulletin, …) and every Django management command
(migrate, createsuperuser, …). `srdi` alone lists them.
"""

from __future__ import annotations

import os
import sys

#: argparse's own messages (usage, a wrong option or choice) in Chinese; the rest of every
#: command's text is written in Chinese where it is defined
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r（应为 %(type)s）",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "需要参数 %s 之一",
    "show this help message and exit": "显示本帮助并退出",
    "positional arguments": "位置参数",
    "options": "选项",
}


def _argparse_in_chinese() -> None:
    import argparse

    argparse._ = lambda text: ARGPARSE_ZH.get(text, text)


def _command_errors_in_chinese() -> None:
    """A command's error reads “错误：…” instead of Django's “CommandError: …”; the exit status
    is the error's own (``CommandError(returncode=...)``). ``--traceback`` and the system
    checks' own report are left to Django."""
    from django.core.management.base import BaseCommand, CommandError, SystemCheckError

    if getattr(BaseCommand.run_from_argv, "srdi_zh", False):
        return
    run_from_argv = BaseCommand.run_from_argv

    def run_from_argv_zh(self, argv):
        execute = self.execute

        def execute_zh(*args, **options):
            try:
                return execute(*args, **options)
            except CommandError as exc:
                if options.get("traceback") or isinstance(exc, SystemCheckError):
                    raise
                from django.utils.translation import gettext as _

                self.stderr.write(_("错误：%(message)s") % {"message": exc})
                sys.exit(exc.returncode)

        self.execute = execute_zh
        return run_from_argv(self, argv)

    run_from_argv_zh.srdi_zh = True
    BaseCommand.run_from_argv = run_from_argv_zh


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srdi.settings")
    _argparse_in_chinese()
    _command_errors_in_chinese()
    argv = list(sys.argv if argv is None else ["srdi", *argv])
    argv[0] = "srdi"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
