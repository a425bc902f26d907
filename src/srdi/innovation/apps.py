from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InnovationConfig(AppConfig):
    name = "srdi.innovation"
    verbose_name = _("创新引领")

    def ready(self) -> None:
        from . import (  # noqa: F401  (register with srdi.core)
            demo,  # noqa: F401
            measures,
            scopes,
            workspace,
        )
