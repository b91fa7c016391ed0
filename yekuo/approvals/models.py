"""Published R6 rule sets: immutable once loaded, selected by effective date (like the regulations)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleSet(models.Model):
    """One version of the low-risk criteria, the limits they set (I8) and the important places.

    `content` is the normalised spec as JSON text in the file's order (the criteria are shown in the
    notice's order); `checksum` is the sha256 of the file. Rows are never updated: a change is a new
    row with a new code and a new effective date, so a decision can always be re-read under the rule
    set it was made with.
    """

    code = models.CharField(max_length=64, unique=True)
    document = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    effective_from = models.DateField(unique=True)
    content = models.TextField()
    checksum = models.CharField(max_length=64)
    source = models.CharField(max_length=500, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("低风险判定规则")
        verbose_name_plural = _("低风险判定规则")

    def __str__(self) -> str:
        return f"{self.code} (from {self.effective_from})"
