from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "srdi.recognition"
    verbose_name = _("荣誉认证与平台登记")

    def ready(self) -> None:
        from . import (  # noqa: F401  (register with srdi.core)
            demo,
            measures,
            scopes,
            workspace,
        )
