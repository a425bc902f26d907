from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "srdi.evaluation"
    verbose_name = _("认定标准评估")
