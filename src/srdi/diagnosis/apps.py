from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosisConfig(AppConfig):
    name = "srdi.diagnosis"
    verbose_name = _("把脉诊断")
