from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "srdi.accounts"
    verbose_name = _("账户与权限")

    def ready(self):
        from . import signals, workspace  # noqa: F401  (logout audit records; menu)
