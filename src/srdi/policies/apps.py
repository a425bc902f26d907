from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "srdi.policies"
    verbose_name = _("惠企政策")

    def ready(self) -> None:
        from srdi.diagnosis.sections import register

        from . import scopes, signals  # noqa: F401  (scopes: registers with srdi.core.access)
        from .diagnosis_section import MatchedPolicies

        signals.connect()
        register(MatchedPolicies())  # the diagnosis report's 惠企政策 section
