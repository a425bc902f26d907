from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from srdi.accounts import scopes
from srdi.accounts.roles import Role


@login_required
def home(request):
    """Landing page: officials go to the dashboard, enterprises to their own page."""
    user = request.user
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return redirect("registry:detail", uscc=user.enterprise.uscc)
    if scopes.is_official(user):
        return redirect("cultivation:dashboard")
    return render(request, "core/home.html")


def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
