from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from srdi.accounts.scopes import require_admin

from .models import ACTION_LABELS, AuditLog


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
    if request.GET.get("since"):
        qs = qs.filter(at__date__gte=request.GET["since"])
    if request.GET.get("until"):
        qs = qs.filter(at__date__lte=request.GET["until"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/log_list.html",
        {
            "page": page,
            "q": q,
            "sources": AuditLog.Source.choices,
            "actions": [
                (a, str(ACTION_LABELS.get(a, a)))
                for a in AuditLog.objects.values_list("action", flat=True)
                .distinct()
                .order_by("action")
            ],
        },
    )
