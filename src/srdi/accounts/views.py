from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from srdi.audit.services import record

from . import throttle
from .forms import ThrottledAuthenticationForm
from .models import LoginAttempt
from .scopes import require_admin


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = "/"

    def form_valid(self, form):
        response = super().form_valid(form)
        record(actor=self.request.user, action="password_change", obj=self.request.user)
        messages.success(self.request, _("密码已修改。"))
        return response


@login_required
def security(request):
    """Administrators: locks in force (with unlock) and recent failed logins, filterable."""
    require_admin(request.user)
    qs = LoginAttempt.objects.filter(success=False)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(account__icontains=q.lower()) | Q(username__icontains=q))
    ip = request.GET.get("ip", "").strip()
    if ip:
        qs = qs.filter(ip=throttle.valid_ip(ip)) if throttle.valid_ip(ip) else qs.none()
    page = Paginator(qs.order_by("-at", "-id"), 50).get_page(request.GET.get("page"))
    since = timezone.now() - throttle.window()
    return render(
        request,
        "accounts/security.html",
        {
            "locks": throttle.current_locks(),
            "page": page,
            "q": q,
            "ip": ip,
            "window_failures": LoginAttempt.objects.filter(
                success=False, refused=False, at__gte=since
            ).count(),
            "limits": {
                "pair": settings.SRDI_LOGIN_MAX_FAILURES,
                "address": settings.SRDI_LOGIN_MAX_FAILURES_PER_ADDRESS,
                "alert": settings.SRDI_LOGIN_ALERT_FAILURES,
                "minutes": settings.SRDI_LOGIN_LOCKOUT_MINUTES,
            },
        },
    )


@login_required
@require_POST
def unlock(request):
    require_admin(request.user)
    kind = request.POST.get("kind")
    ip = throttle.valid_ip(request.POST.get("ip", ""))
    account = request.POST.get("account", "")
    if kind not in {"account", "address"} or (kind == "address" and not ip):
        messages.error(request, _("解除锁定的请求不完整。"))
        return redirect("accounts:security")
    n = throttle.unlock(request.user, kind=kind, account=account, ip=ip)
    messages.success(request, _("已解除锁定（%(n)s 次失败记录不再计入）。") % {"n": n})
    return redirect("accounts:security")
