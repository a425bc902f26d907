from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "srdi.registry"
    verbose_name = _("企业库")

    def ready(self) -> None:
        from . import scopes, workspace  # noqa: F401  (Enterprise with srdi.core.access; home)
