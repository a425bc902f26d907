from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "srdi.finance"
    verbose_name = _("特色金融")

    def ready(self) -> None:
        from . import (  # noqa: F401  (register with srdi.core)
            bulletin,
            demo,
            measures,
            scopes,
            workspace,
        )
