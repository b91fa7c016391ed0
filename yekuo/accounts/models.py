"""Organisation and people (REQUIREMENTS R15): company → branches → stations, departments, service areas, users."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A member of staff. Roles and scope are added by the accounts work (issue 3 §1)."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
