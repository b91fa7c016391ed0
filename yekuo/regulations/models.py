"""Published regulation versions (REQUIREMENTS R14): immutable once loaded, selected by effective date."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Regulation(models.Model):
    """One version of the time-limit tables.

    `content` is the normalised spec (the file's schema with defaults filled in), so the version can be
    rebuilt without its file; `checksum` is the sha256 of the file it was loaded from. Rows are never
    updated: a changed regulation is a new row with a new code and a new effective date, and an order
    keeps the code it was created under.
    """

    code = models.CharField(max_length=64, unique=True)
    document = models.CharField(max_length=200, help_text=_("e.g. 鄂电营销〔2022〕64号"))
    title = models.CharField(max_length=300)
    effective_from = models.DateField(unique=True)
    supersedes = models.CharField(max_length=200, blank=True)
    # Text, not a JSONField: PostgreSQL's jsonb reorders object keys (shorter first), and the order of
    # stages, nodes and clocks is the notice's own — the timeline and the entry node depend on it.
    content = models.TextField(help_text="The normalised spec as JSON text, in the file's order")
    checksum = models.CharField(max_length=64)
    source = models.CharField(max_length=500, blank=True, help_text=_("The file it was loaded from"))
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("时限规定")
        verbose_name_plural = _("时限规定")

    def __str__(self) -> str:
        return f"{self.code} {self.document} (from {self.effective_from})"
