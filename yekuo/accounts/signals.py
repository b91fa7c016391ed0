"""Keeps `User.role_codes` (a per-instance cache) true when roles change through that instance.

This is cache upkeep, not business logic. Changes made from the role side (`role.users.add(user)`)
cannot reach the user instances already in memory; call `user.forget_roles()` or reload them.
"""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from yekuo.accounts.models import User


@receiver(m2m_changed, sender=User.roles.through)
def forget_cached_roles(sender, instance, action, reverse, **kwargs):
    if not reverse and action.startswith("post_"):
        instance.forget_roles()
