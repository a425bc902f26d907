from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "srdi.support"
    verbose_name = _("服务体系")

    def ready(self) -> None:
        from . import (  # noqa: F401  (register with srdi.core, srdi.diagnosis and the bulletin)
            bulletin,
            demo,
            measures,
            scopes,
            sections,
            workspace,
        )
