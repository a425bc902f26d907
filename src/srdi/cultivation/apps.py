from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CultivationConfig(AppConfig):
    name = "srdi.cultivation"
    verbose_name = _("梯度培育")

    def ready(self) -> None:
        from . import scopes  # noqa: F401  (registers with srdi.core.access)
