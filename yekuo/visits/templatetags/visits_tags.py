"""Labels the return-visit and normativity pages show (the vocabulary of `yekuo.web.labels`)."""

from django import template

from yekuo.web import labels

register = template.Library()


@register.filter
def category_name(code: str) -> str:
    return labels.category(code)


@register.filter
def branch_name(code: str) -> str:
    """A branch's name from its code (the summaries carry codes; their rows are few)."""
    from yekuo.accounts.models import Branch

    return Branch.objects.filter(code=code).values_list("name", flat=True).first() or code
