"""Organisation and people (REQUIREMENTS R15): company → branches → stations, departments, service areas,
roles and users.

Every model that holds rows belonging to a branch says so with `scope_branch_field` (the lookup path to a
`Branch`, "" for `Branch` itself) and, where its rows may belong to the company as a whole,
`scope_company_field`; `yekuo.accounts.scope.restrict()` reads only these two attributes.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from yekuo.accounts.codes import DEPARTMENTS

CODE_HELP = _("小写字母、数字和下划线，用于数据、接口和命令行")


class Company(models.Model):
    """A power supply company (供电公司), e.g. 鄂尔多斯供电公司."""

    code = models.SlugField(_("编码"), max_length=32, unique=True, help_text=CODE_HELP)
    name = models.CharField(_("名称"), max_length=100)

    scope_branch_field = None
    scope_company_field = "pk"

    class Meta:
        ordering = ["code"]
        verbose_name = _("供电公司")
        verbose_name_plural = _("供电公司")

    def __str__(self):
        return self.name


class Branch(models.Model):
    """A supply branch (供电分公司): where an order is worked (notice §1, R3)."""

    company = models.ForeignKey(Company, models.PROTECT, related_name="branches", verbose_name=_("供电公司"))
    code = models.SlugField(_("编码"), max_length=32, help_text=CODE_HELP)
    name = models.CharField(_("名称"), max_length=100)

    scope_branch_field = ""  # the row is the branch itself
    scope_company_field = "company"

    class Meta:
        ordering = ["company__code", "code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="branch_code_unique")]
        verbose_name = _("供电分公司")
        verbose_name_plural = _("供电分公司")

    def __str__(self):
        return self.name


class Station(models.Model):
    """A supply station (供电所) of a branch."""

    branch = models.ForeignKey(Branch, models.PROTECT, related_name="stations", verbose_name=_("供电分公司"))
    code = models.SlugField(_("编码"), max_length=32, help_text=CODE_HELP)
    name = models.CharField(_("名称"), max_length=100)

    scope_branch_field = "branch"

    class Meta:
        ordering = ["branch__code", "code"]
        constraints = [models.UniqueConstraint(fields=["branch", "code"], name="station_code_unique")]
        verbose_name = _("供电所")
        verbose_name_plural = _("供电所")

    def __str__(self):
        return self.name


class Department(models.Model):
    """A department of the company: 客户服务中心 controls the process, 营销服务部 and 生产技术部 own nodes
    (Attachment 1, column 归口部门)."""

    company = models.ForeignKey(Company, models.PROTECT, related_name="departments", verbose_name=_("供电公司"))
    code = models.CharField(_("编码"), max_length=32, choices=list(DEPARTMENTS.items()))
    name = models.CharField(_("名称"), max_length=100)

    scope_branch_field = None
    scope_company_field = "company"

    class Meta:
        ordering = ["company__code", "code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="department_code_unique")]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self):
        return self.name


def validate_keywords(value) -> None:
    if not isinstance(value, list) or not all(isinstance(k, str) and k.strip() for k in value):
        raise ValidationError(_('地址关键字必须是非空字符串的列表，例如 ["东胜区", "铜川镇"]'))


class ServiceArea(models.Model):
    """A service area (营业区) mapped to the branch that works its orders (R3). An address containing
    one of `keywords` lies in the area; `selectors.propose_branch()` uses them to propose the branch."""

    branch = models.ForeignKey(Branch, models.PROTECT, related_name="service_areas", verbose_name=_("供电分公司"))
    code = models.SlugField(_("编码"), max_length=32, help_text=CODE_HELP)
    name = models.CharField(_("名称"), max_length=100)
    keywords = models.JSONField(
        _("地址关键字"),
        default=list,
        blank=True,
        validators=[validate_keywords],
        help_text=_(
            'JSON 列表，如 ["东胜区", "铜川镇"]；地址包含其中之一即属本营业区；'
            "多个营业区匹配时，在地址中位置最靠后（最具体）的关键字优先"
        ),
    )

    scope_branch_field = "branch"

    class Meta:
        ordering = ["branch__code", "code"]
        constraints = [models.UniqueConstraint(fields=["branch", "code"], name="service_area_code_unique")]
        verbose_name = _("营业区")
        verbose_name_plural = _("营业区")

    def __str__(self):
        return self.name


class Role(models.Model):
    """A role (R15). The codes are fixed (`codes.ROLES`, seeded by migration 0003); what each role may
    do is `permissions.ROLE_ACTIONS`."""

    code = models.CharField(_("编码"), max_length=32, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = _("角色")
        verbose_name_plural = _("角色")

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A member of staff with roles and a scope (R15): the whole company when `branch` is empty,
    otherwise that one branch. Superusers may have no company."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    company = models.ForeignKey(
        Company, models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("供电公司")
    )
    branch = models.ForeignKey(
        Branch,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("供电分公司"),
        help_text=_("为空表示公司范围；否则只能看到和处理本分公司的工单"),
    )
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("部门")
    )
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    roles = models.ManyToManyField(Role, blank=True, related_name="users", verbose_name=_("角色"))

    scope_branch_field = "branch"
    scope_company_field = "company"

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    def clean(self):
        super().clean()
        if self.branch_id and self.branch.company_id != self.company_id:
            raise ValidationError({"branch": _("分公司必须属于用户所在的供电公司")})
        if self.department_id and self.department.company_id != self.company_id:
            raise ValidationError({"department": _("部门必须属于用户所在的供电公司")})

    @property
    def scope(self) -> str:
        """ "branch" or "company" (R15); "" for a user of no company (only superusers work so)."""
        if self.branch_id:
            return "branch"
        return "company" if self.company_id else ""

    @cached_property
    def role_codes(self) -> frozenset[str]:
        """The codes of this user's roles, read once per instance; `roles.add/remove/set/clear` on this
        instance and `refresh_from_db()` forget them (see `signals.py`)."""
        if not self.pk:
            return frozenset()
        return frozenset(role.code for role in self.roles.all())

    def forget_roles(self) -> None:
        self.__dict__.pop("role_codes", None)

    def refresh_from_db(self, *args, **kwargs):
        self.forget_roles()
        super().refresh_from_db(*args, **kwargs)
