from django.core.management.base import BaseCommand, CommandError

from srdi.accounts import services
from srdi.accounts.models import User


class Command(BaseCommand):
    help = "为用户签发 API 令牌（只显示一次）。用法：srdi token 用户名 [--name 名称]"

    def add_arguments(self, parser):
        parser.add_argument("username", help="要签发令牌的用户名")
        parser.add_argument(
            "--name", default="cli", help="令牌名称（默认 cli），便于日后识别和吊销"
        )

    def handle(self, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在。")
        self.stdout.write(services.issue_token(user, name))
