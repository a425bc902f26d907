from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from srdi.accounts.roles import Role


@login_required
def home(request):
    """Each role's home answers "what do I do today": the panels of its role (srdi.core.workspace)
    contributed by the apps, then the menu entries it may use."""
    from django.utils import timezone

    from . import workspace

    return render(
        request,
        "core/home.html",
        {
            "panels": workspace.panels_for(request),
            "role_label": _role_label(request.user),
            "today": timezone.localdate(),
        },
    )


def _role_label(user) -> str:
    if user.role == Role.REGION_OFFICER and user.region_id:
        return f"{user.region.name} · {user.get_role_display()}"
    if user.role == Role.DEPARTMENT and user.department:
        return user.get_department_display()
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return user.enterprise.name
    if user.role == Role.PARTNER and user.organization:
        return user.organization
    return str(user.get_role_display())


def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _job_for(request, pk):
    from . import access
    from .models import Job

    return access.get(request.user, Job, pk=pk)


def _job_next(job) -> str | None:
    """The page that shows a finished job's result (params["next"], a local path)."""
    nxt = (job.params or {}).get("next") if isinstance(job.params, dict) else None
    if job.status == "done" and isinstance(nxt, str) and nxt.startswith("/") and "//" not in nxt:
        return nxt
    return None


@login_required
def job_detail(request, pk):
    job = _job_for(request, pk)
    return render(request, "core/job.html", {"job": job, "next": _job_next(job)})


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
            "next": _job_next(job),
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
