from django.db import models


class FailureCount(models.Model):
    """Tries counted against a limit (common/throttle.FailureLimit) when there is no Redis: one row per limited
    key (`yekuo:throttle:<limit>:<client address>`), changed only by conditional UPDATEs so that concurrent
    requests in any process count exactly."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    window_ends_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.count} until {self.window_ends_at:%Y-%m-%d %H:%M}"
