"""Admin pages for the organisation and its people (O2)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from yekuo.accounts.models import Branch, Company, Department, Role, ServiceArea, Station, User


class BranchInline(admin.TabularInline):
    model = Branch
    extra = 0
    fields = ["code", "name"]


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0
    fields = ["code", "name"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    inlines = [BranchInline, DepartmentInline]


class StationInline(admin.TabularInline):
    model = Station
    extra = 0
    fields = ["code", "name"]


class ServiceAreaInline(admin.TabularInline):
    model = ServiceArea
    extra = 0
    fields = ["code", "name", "keywords"]


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "company"]
    list_filter = ["company"]
    search_fields = ["code", "name"]
    list_select_related = ["company"]
    inlines = [StationInline, ServiceAreaInline]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "branch"]
    list_filter = ["branch__company", "branch"]
    search_fields = ["code", "name", "branch__name"]
    list_select_related = ["branch"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "company"]
    list_filter = ["company", "code"]
    search_fields = ["code", "name"]
    list_select_related = ["company"]


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "branch", "keyword_list"]
    list_filter = ["branch__company", "branch"]
    search_fields = ["code", "name", "keywords", "branch__name"]
    list_select_related = ["branch"]

    @admin.display(description=_("地址关键字"))
    def keyword_list(self, obj):
        return "、".join(obj.keywords or [])


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    """Role codes are fixed by the code (the permission matrix names them): names may be edited, roles
    are neither added nor deleted here."""

    list_display = ["code", "name", "user_count"]
    search_fields = ["code", "name"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("用户数"))
    def user_count(self, obj):
        return obj.users.count()


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "full_name",
        "company",
        "branch",
        "department",
        "role_list",
        "scope_display",
        "is_active",
        "is_staff",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser", "company", "branch", "department", "roles"]
    search_fields = ["username", "full_name", "phone", "email"]
    list_select_related = ["company", "branch", "department"]
    filter_horizontal = ["roles", "groups", "user_permissions"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["full_name", "phone", "email"]}),
        (
            _("组织、角色与范围"),
            {
                "fields": ["company", "branch", "department", "roles"],
                "description": _("分公司为空表示公司范围（可见全公司工单）；否则只能看到本分公司的工单。"),
            },
        ),
        (
            _("权限"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("重要日期"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "full_name", "company", "branch", "department", "roles"],
            },
        ),
        (None, {"classes": ["wide"], "fields": ["usable_password", "password1", "password2"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")

    @admin.display(description=_("角色"))
    def role_list(self, obj):
        return "、".join(role.name for role in obj.roles.all())

    @admin.display(description=_("范围"))
    def scope_display(self, obj):
        return {"branch": _("分公司"), "company": _("公司"), "": "—"}[obj.scope]


from yekuo.accounts import audit_admin  # noqa: E402, F401  (sign-in records: auditors may read them)
