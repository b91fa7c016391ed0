"""A background export's page: its progress (htmx polls the status part) and, when done, the download (P4)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from yekuo.exports.models import ExportJob
from yekuo.exports.services import fail_stale, file_path
from yekuo.web.export import xlsx_response


def _own_job(request, pk: int) -> ExportJob:
    # Only the user who asked sees the job and its file (the rows are that user's scope): others get a 404.
    return get_object_or_404(ExportJob, pk=pk, user=request.user)


@login_required
@require_GET
def export_job(request, pk: int):
    job = _own_job(request, pk)
    if fail_stale(jobs=ExportJob.objects.filter(pk=job.pk)):  # its worker died: say so, not "running" forever
        job.refresh_from_db()
    context = {"job": job, "available": file_path(job) is not None}
    if request.htmx:
        return render(request, "web/_export_status.html", context)
    return render(request, "web/export_job.html", context)


@login_required
@require_GET
def export_download(request, pk: int):
    job = _own_job(request, pk)
    path = file_path(job)
    if path is None:
        raise Http404("no file")
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    return xlsx_response(path.open("rb"), f"yekuo-orders-{stamp}.xlsx")
