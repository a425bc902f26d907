"""Menu entries of the accounts app."""

from srdi.core import workspace

from .scopes import is_admin

workspace.menu("login_security", "登录安全", "/accounts/security/", order=90, visible=is_admin)
