from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from srdi.accounts import scopes
from srdi.accounts.roles import Role

from . import selectors, services
from .forms import BatchForm
from .render import context


@login_required
def index(request):
    user = request.user
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return redirect("diagnosis:detail", uscc=user.enterprise.uscc)
    qs = selectors.visible(user)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(uscc__iexact=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "diagnosis/index.html", {"page": page, "q": q})


@login_required
def detail(request, uscc):
    try:
        as_of = services.parse_as_of(request.GET.get("as_of"))
        d = services.diagnosis_for(request.user, uscc, as_of)
    except services.DiagnosisError as exc:
        return render(request, "diagnosis/error.html", {"message": str(exc)}, status=400)
    return render(request, "diagnosis/page.html", context(d, "web"))


@login_required
def download(request, uscc, fmt):
    try:
        as_of = services.parse_as_of(request.GET.get("as_of"))
        name, ctype, content = services.report_for(request.user, uscc, fmt, as_of)
    except services.DiagnosisError as exc:
        return render(request, "diagnosis/error.html", {"message": str(exc)}, status=400)
    response = HttpResponse(content, content_type=ctype)
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def batch(request):
    scopes.require_official(request.user)
    regions = selectors.batch_regions(request.user)
    form = BatchForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_batch_for(
                request.user,
                form.cleaned_data["region"],
                form.cleaned_data["format"],
                form.cleaned_data["as_of"],
            )
        except services.DiagnosisError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("core:job", pk=job.pk)
    return render(request, "diagnosis/batch.html", {"form": form})
