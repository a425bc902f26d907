import secrets
import string

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction

from srdi.accounts.models import User
from srdi.accounts.roles import Department, PartnerKind, Role
from srdi.registry.models import DataShare, Enterprise, Region


def new_password(user) -> str:
    """A random password that meets the password policy (14 characters, four classes)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        core = "".join(secrets.choice(alphabet) for _ in range(12))
        password = core[:6] + secrets.choice("-_.@#") + secrets.choice(string.digits) + core[6:]
        try:
            password_validation.validate_password(password, user)
        except ValidationError:
            continue
        return password


def meets_policy(password: str, user) -> bool:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        # the user's own current password counts as "reused": that alone is no reason to change
        return all(e.code == "password_reused" for e in exc.error_list)
    return True


class Command(BaseCommand):
    help = "创建各角色的演示账户（首次运行时生成随机密码，保存在 var/demo_logins.txt），并打印登录方式。"

    @transaction.atomic
    def handle(self, **options):
        path = settings.VAR_DIR / "demo_logins.txt"
        known = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                parts = line.split("\t")
                if len(parts) >= 2:
                    known[parts[0]] = parts[1]
        region = Region.objects.filter(enterprises__isnull=False).order_by("sort_order").first()
        ent = Enterprise.objects.filter(region=region).order_by("uscc").first() if region else None
        specs = [
            ("admin", Role.ADMIN, "市工信局管理员", {"is_staff": True, "is_superuser": True}),
            ("kjj", Role.DEPARTMENT, "科技局用户", {"department": Department.KJJ}),
            ("jrj", Role.DEPARTMENT, "金融监管局用户", {"department": Department.JRJ}),
            (
                "region",
                Role.REGION_OFFICER,
                f"{region.name if region else ''}工作人员",
                {"region": region},
            ),
            ("commissioner", Role.COMMISSIONER, "服务专员", {}),
            ("enterprise", Role.ENTERPRISE, ent.name if ent else "企业用户", {"enterprise": ent}),
            (
                "bank",
                Role.PARTNER,
                "合作银行",
                {"organization": "常熟农商银行（演示）", "partner_kind": PartnerKind.BANK},
            ),
            (
                "university",
                Role.PARTNER,
                "常熟理工学院科技处",
                {"organization": "常熟理工学院", "partner_kind": PartnerKind.UNIVERSITY},
            ),
        ]
        lines = []
        for username, role, label, extra in specs:
            user, created = User.objects.get_or_create(username=username, defaults={"role": role})
            password = known.get(username)
            if not password or not meets_policy(password, user):
                password = new_password(user)
            user.role = role
            user.display_name = label
            for k, v in extra.items():
                setattr(user, k, v)
            if created or not user.check_password(password):
                user.set_password(password)
            user.save()
            lines.append((username, password, str(role.label), label))
        if ent:
            commissioner = User.objects.get(username="commissioner")
            for e in Enterprise.objects.filter(region=region).order_by("uscc")[:2]:
                e.commissioners.add(commissioner)
            DataShare.objects.get_or_create(
                enterprise=ent,
                organization="常熟农商银行（演示）",
                defaults={
                    "purpose": "融资对接",
                    "sections": ["basic", "years", "ip", "titles", "diagnosis", "financing"],
                },
            )
        path.write_text("\n".join("\t".join(x) for x in lines) + "\n", encoding="utf-8")
        path.chmod(0o600)
        self.stdout.write("演示账户（用户名 / 密码 / 角色）：")
        for username, password, role_label, label in lines:
            self.stdout.write(f"  {username:<13} {password:<14} {role_label}（{label}）")
