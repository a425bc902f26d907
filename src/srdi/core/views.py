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


def _job_for(request, pk):
    from . import access
    from .models import Job

    return access.get(request.user, Job, pk=pk)


@login_required
def job_detail(request, pk):
    return render(request, "core/job.html", {"job": _job_for(request, pk)})


@login_required
def job_status(request, pk):
    job = _job_for(request, pk)
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "status_label": str(job.get_status_display()),
            "total": job.total,
            "done": job.done,
            "percent": job.percent,
            "message": job.message,
            "errors": job.errors,
            "download": f"/jobs/{job.pk}/download" if job.result_file else None,
        }
    )


@login_required
def job_download(request, pk):
    from django.http import FileResponse, Http404

    job = _job_for(request, pk)
    if not job.result_file:
        raise Http404("结果文件不存在（尚未生成，或已超过保留期限被清理）。")
    return FileResponse(
        job.result_file.open("rb"),
        as_attachment=True,
        filename=job.result_file.name.rsplit("/", 1)[-1],
    )


@login_required
def inbox(request):
    from django.core.paginator import Paginator

    from .models import Notification

    qs = Notification.objects.filter(user=request.user)
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "core/inbox.html", {"page": page})


@login_required
def inbox_open(request, pk):
    from . import access, notifications
    from .models import Notification

    n = access.get(request.user, Notification, pk=pk)
    notifications.mark_read(request.user, n.pk)
    return redirect(n.link or "core:inbox")
