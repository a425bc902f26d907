from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "srdi.core"
    verbose_name = _("平台")

    def ready(self) -> None:
        from . import scopes  # noqa: F401  (registers jobs and inbox messages with access)
