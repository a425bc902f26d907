from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "srdi.chains"
    verbose_name = _("产业链与集群")

    def ready(self) -> None:
        from . import (  # noqa: F401  (register with srdi.core)
            demo,
            measures,
            scopes,
            workspace,
        )
