"""Stored verdicts: each result with the rule-file version and the input snapshot.

One evaluation (a page's "save", an API call, a whole-population run) is an
:class:`EvaluationRun` (date, review, standards and their versions, who, when, how many). Each
enterprise × standard is a compact :class:`EvaluationRecord` (outcome, score, version, a small
result JSON) pointing to the enterprise's :class:`InputSnapshot`: the exchange-format document
evaluated, stored once per distinct content (content-hashed, so an unchanged enterprise reuses
its previous snapshot). The text of every rule-file version used is kept in
:class:`RuleVersion`, so an old verdict can be reproduced after the rules or the data changed
(``services.reproduce``).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    ELIGIBLE = "eligible", _("符合")
    INELIGIBLE = "ineligible", _("不符合")
    UNDETERMINED = "undetermined", _("待定（数据不全）")


class RuleVersion(models.Model):
    """The text of one rule-file version (``srdi-sme@2022#<content hash>``) as evaluated."""

    version = models.CharField(_("规则版本"), max_length=80, primary_key=True)
    standard = models.CharField(_("认定标准"), max_length=40)
    text = models.TextField(_("规则文件内容"))
    created_at = models.DateTimeField(_("首次使用时间"), default=timezone.now)

    class Meta:
        verbose_name = _("规则版本")
        verbose_name_plural = _("规则版本")
        ordering = ["standard", "-created_at"]

    def __str__(self) -> str:
        return self.version


class EvaluationRun(models.Model):
    """One evaluation of a set of enterprises against a set of standards on one date."""

    class Mode(models.TextChoices):
        FULL = "full", _("逐项（含差距）")
        SUMMARY = "summary", _("批量（结论、得分与维度）")

    as_of = models.DateField(_("评估日期"))
    review = models.BooleanField(_("复核"), default=False)
    mode = models.CharField(_("方式"), max_length=10, choices=Mode.choices, default=Mode.FULL)
    standards = models.JSONField(_("认定标准"), default=list)
    #: standard id → rule version, including the size standard the basic conditions use
    versions = models.JSONField(_("规则版本"), default=dict)
    enterprises = models.PositiveIntegerField(_("企业数"), default=0)
    results = models.PositiveIntegerField(_("结果数"), default=0)
    new_snapshots = models.PositiveIntegerField(_("新增输入快照"), default=0)
    created_at = models.DateTimeField(_("评估时间"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("评估批次")
        verbose_name_plural = _("评估批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return _("%(d)s 评估 %(n)d 家企业（%(m)s）") % {
            "d": self.as_of,
            "n": self.enterprises,
            "m": self.get_mode_display(),
        }


class InputSnapshot(models.Model):
    """The exchange-format document an enterprise was evaluated on, stored once per content.

    ``document`` is the JSON text exactly as hashed (``digest`` = SHA-256 of its UTF-8 bytes).
    A whole-population run stores the fields its standards read (with the years they read); a
    single enterprise's evaluation stores its whole exported document. Either reproduces the
    verdict with the stored rule version.
    """

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="evaluation_inputs",
        db_index=False,  # the (enterprise, digest) constraint's index serves
    )
    digest = models.CharField(_("内容摘要（SHA-256）"), max_length=64)
    document = models.TextField(_("输入画像快照（JSON）"))
    created_at = models.DateTimeField(_("首次保存时间"), default=timezone.now)

    class Meta:
        verbose_name = _("输入快照")
        verbose_name_plural = _("输入快照")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "digest"], name="uniq_input_snapshot")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.digest[:12]}"

    @property
    def profile(self) -> dict:
        return json.loads(self.document)


class EvaluationRecord(models.Model):
    """One enterprise judged against one standard in one run (compact: the run and the
    snapshot hold what is shared).

    ``result`` holds what the columns do not: size class, route and dimension scores (whole
    population) or indicators, gaps and missing data (one enterprise).

    Records are written only by ``services`` (in bulk, in the transaction that creates their
    run and snapshots, from ids it has just read), so their foreign keys have no database
    constraint: PostgreSQL would check three keys per row at commit, longer than the rest of a
    100,000-enterprise run. Deletes still cascade through Django (an enterprise takes its
    records and snapshots; a run its records; a snapshot is only deleted with its enterprise,
    whose records are the only ones pointing to it). ``run_id`` is indexed by migration 0004
    (BRIN on PostgreSQL: records are appended run after run).
    """

    run = models.ForeignKey(
        EvaluationRun,
        verbose_name=_("评估批次"),
        on_delete=models.CASCADE,
        related_name="records",
        db_constraint=False,
        db_index=False,
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="evaluations",
        db_constraint=False,
        db_index=False,  # the (enterprise, standard, id) index serves
    )
    snapshot = models.ForeignKey(
        InputSnapshot,
        verbose_name=_("输入快照"),
        on_delete=models.DO_NOTHING,
        related_name="records",
        db_constraint=False,
        db_index=False,
    )
    standard = models.CharField(_("认定标准"), max_length=40)
    version = models.CharField(_("规则版本"), max_length=80)
    outcome = models.CharField(_("结论"), max_length=20, choices=Outcome.choices)
    score = models.FloatField(_("得分"), null=True, blank=True)
    result = models.JSONField(_("评估结果"), default=dict)

    class Meta:
        verbose_name = _("评估记录")
        verbose_name_plural = _("评估记录")
        ordering = ["-run_id", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "standard", "id"], name="evaluation_rec_ent_std"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.standard} {self.as_of} {self.outcome}"

    # what the run holds, read as before
    @property
    def as_of(self):
        return self.run.as_of

    @property
    def review(self) -> bool:
        return self.run.review

    @property
    def created_at(self):
        return self.run.created_at

    @property
    def created_by(self):
        return self.run.created_by

    @property
    def profile(self) -> dict:
        """The exchange-format document evaluated (from the snapshot)."""
        return self.snapshot.profile

    def as_result(self) -> dict:
        """The stored result in the contract's shape (as returned when it was evaluated)."""
        out = {
            "uscc": self.enterprise.uscc,
            "standard": self.standard,
            "version": self.version,
            "outcome": self.outcome,
            "score": self.score,
        }
        out.update(self.result or {})
        return out
