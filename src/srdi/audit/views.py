from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from srdi.accounts.scopes import require_admin

from .models import AuditLog, action_label


def _date(text):
    """A yyyy-mm-dd filter value, or None when absent or not a date (never a 500)."""
    from django.utils.dateparse import parse_date

    try:
        return parse_date((text or "").strip())
    except ValueError:
        return None


@login_required
def log_list(request):
    """Administrators browse every write: filter by who, what, enterprise, source, date."""
    require_admin(request.user)
    qs = AuditLog.objects.all()
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(actor_label__icontains=q)
            | Q(object_repr__icontains=q)
            | Q(enterprise_uscc__icontains=q)
        )
    for field in ("action", "source", "object_type"):
        if request.GET.get(field):
            qs = qs.filter(**{field: request.GET[field]})
    since = _date(request.GET.get("since"))
    until = _date(request.GET.get("until"))
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    ip = request.GET.get("ip", "").strip()
    if ip:
        from srdi.accounts.throttle import valid_ip

        qs = qs.filter(ip=valid_ip(ip)) if valid_ip(ip) else qs.none()
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/log_list.html",
        {
            "page": page,
            "q": q,
            "ip": ip,
            "sources": AuditLog.Source.choices,
            "actions": [
                (a, action_label(a))
                for a in AuditLog.objects.values_list("action", flat=True)
                .distinct()
                .order_by("action")
            ],
        },
    )
