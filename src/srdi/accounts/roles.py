"""Roles and the data domains each department may write.

These are organisational settings of the platform, not thresholds of a standard.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("市工信局管理员")
    DEPARTMENT = "department", _("部门用户")
    REGION_OFFICER = "region_officer", _("板块工作人员")
    COMMISSIONER = "commissioner", _("服务专员")
    ENTERPRISE = "enterprise", _("企业用户")
    PARTNER = "partner", _("合作机构（银行/高校）")


class Department(models.TextChoices):
    GXJ = "gxj", _("市工信局")
    KJJ = "kjj", _("市科技局")
    SCJGJ = "scjgj", _("市市场监管局")
    JRJ = "jrj", _("市金融监管局")
    SWJ = "swj", _("市税务局")
    TJJ = "tjj", _("市统计局")
    FGW = "fgw", _("市发改委")


class PartnerKind(models.TextChoices):
    BANK = "bank", _("银行")
    UNIVERSITY = "university", _("高校/科研院所")


# Profile sections (top-level keys of the exchange format, or "years.<field>") each
# department maintains. A department user may write only these.
DEPARTMENT_DOMAINS: dict[str, frozenset[str]] = {
    Department.GXJ: frozenset({"*"}),
    Department.KJJ: frozenset(
        {
            "awards",
            "honors",
            "rd_institution",
            "maker_china",
            "ip",
            "years.rd_expense",
            "years.rd_staff",
        }
    ),
    Department.SCJGJ: frozenset(
        {"quality", "ip", "compliance", "mgmt_certified", "intl_product_cert", "time_honored_brand"}
    ),
    Department.JRJ: frozenset({"years.equity_financing"}),
    Department.SWJ: frozenset(
        {
            "years.revenue",
            "years.main_revenue",
            "years.net_profit",
            "years.local_contribution",
            "years.export_revenue",
            "years.rd_expense",
            "compliance",
        }
    ),
    Department.TJJ: frozenset(
        {
            "years.employees",
            "years.rd_staff",
            "years.revenue",
            "years.main_revenue",
            "years.total_assets",
            "years.total_liabilities",
            "years.net_profit",
            "years.rd_expense",
            "years.cnc_rate",
            "years.digital_management",
            "years.digital_rd_tools",
        }
    ),
    Department.FGW: frozenset(),
}

# Roles that work for the government side.
OFFICIAL_ROLES = frozenset({Role.ADMIN, Role.DEPARTMENT, Role.REGION_OFFICER, Role.COMMISSIONER})
