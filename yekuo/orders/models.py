"""Work orders, their nodes, clocks and suspensions, and the append-only event log (R8, R14, R16, I5).

The rows of WorkOrder / NodeInstance / Clock / Suspension are a projection of OrderEvent: they change only
through yekuo.orders.services, in the same transaction that appends the event, and `yekuo orders verify`
replays every log and compares.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yekuo.regulations.codes import CATEGORIES, CHANNELS


class OrderStatus(models.TextChoices):
    CREATED = "created", _("待受理")
    IN_TRANSIT = "in_transit", _("在途")
    SUSPENDED = "suspended", _("暂停（客户原因）")
    ENERGIZED = "energized", _("已接电")
    CANCELLED = "cancelled", _("已撤销")


class Voltage(models.TextChoices):
    V220 = "220V", "220V"
    V380 = "380V", "380V"
    KV10 = "10kV", "10kV"


class EventSource(models.TextChoices):
    WEB = "web", _("网页")
    API = "api", _("接口")
    IMPORT = "import", _("导入")
    PLATFORM = "platform", _("平台推送")
    SYSTEM = "system", _("系统")


CATEGORY_CHOICES = list(CATEGORIES.items())
CHANNEL_CHOICES = list(CHANNELS.items())


class WorkOrder(models.Model):
    scope_branch_field = "branch"

    number = models.CharField(_("工单编号"), max_length=20, unique=True)
    category = models.CharField(_("业务类别"), max_length=20, choices=CATEGORY_CHOICES)
    channel = models.CharField(_("受理渠道"), max_length=20, choices=CHANNEL_CHOICES)
    customer_name = models.CharField(_("客户名称"), max_length=100)
    customer_id_number = models.CharField(_("证件号码"), max_length=40, blank=True)
    customer_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    # Without a phone the customer cannot track the order: the order then says how they will be told.
    customer_notice = models.CharField(_("告知方式"), max_length=200, blank=True)
    site_address = models.CharField(_("用电地址"), max_length=200)
    service_area = models.ForeignKey(
        "accounts.ServiceArea", models.PROTECT, null=True, blank=True, verbose_name=_("营业区")
    )
    # Not indexed alone: the (branch, status) index serves every look-up by branch, and each index is
    # written on every change of the order (bench/lifecycle.py).
    branch = models.ForeignKey(
        "accounts.Branch", models.PROTECT, related_name="orders", verbose_name=_("供电分公司"), db_index=False
    )
    capacity_kva = models.DecimalField(_("申请容量(kVA)"), max_digits=10, decimal_places=1)
    voltage = models.CharField(_("供电电压"), max_length=8, choices=Voltage.choices)
    regulation_code = models.CharField(_("时限规定"), max_length=64, help_text="The version in force at creation (R14)")
    status = models.CharField(_("状态"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.CREATED)
    low_risk = models.BooleanField(_("简易低风险"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    received_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    source_system = models.CharField(max_length=40, blank=True, help_text="Set when another system owns the order")
    external_ref = models.CharField(max_length=64, blank=True)
    event_count = models.PositiveIntegerField(default=0)
    # Projected from the running clocks for the lists' alarm filters and deadline sort (yekuo/orders/due.py).
    due_at = models.DateTimeField(_("最近期限"), null=True, blank=True, editable=False)
    warn_at = models.DateTimeField(_("最近预警时间"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("业扩工单")
        verbose_name_plural = _("业扩工单")
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="order_unique_external_ref",
            )
        ]
        # The alarm indexes are partial: only orders with a running clock are in them (a few in ten), so
        # closed and suspended orders cost them no writes; a comparison with now implies NOT NULL, which
        # both PostgreSQL and SQLite use to pick them.
        indexes = [
            models.Index(fields=["branch", "status"]),
            models.Index(fields=["status", "created_at"]),
            # The lists' order (newest first): their first page without sorting every order in scope.
            models.Index(fields=["created_at"], name="order_created_at"),
            # With the creation, key and branch after the instant, the alarm lists' keys in their default order
            # (newest first, `KeyedPages`) and their counts are read from these indexes alone, for a company's
            # scope (its branches) too, not from the table: an alarm at 1,000,000 orders is 40,000 orders or more.
            models.Index(
                fields=["due_at", "created_at", "id", "branch"],
                condition=models.Q(due_at__isnull=False),
                name="order_due_at",
            ),
            models.Index(
                fields=["warn_at", "due_at", "created_at", "id", "branch"],
                condition=models.Q(warn_at__isnull=False),
                name="order_warn_at",
            ),
            # The alarm lists' page newest first: PostgreSQL walks the orders newest first until it has a page
            # (it expects the orders in an alarm spread evenly over time; the oldest open ones are the overdue
            # ones, 46,000 newer rows were read and dropped at 1,000,000 orders). Walking this index instead
            # reads only the orders with a running clock, and tests the alarm on the entry, not the row.
            models.Index(
                fields=["created_at", "id", "due_at", "warn_at", "branch"],
                condition=models.Q(due_at__isnull=False),
                name="order_running_newest",
            ),
            # The lists by deadline (`sort_orders`: due_at ascending with the orders that have none last, then
            # newest first): their page from this index in its order, without sorting the book. Not partial:
            # the orders without a deadline are the list's tail. Both databases walk an ascending column
            # NULLS LAST (PostgreSQL's default order of an index; SQLite reads the non-null entries first).
            # It serves the overdue filter too (`due_at < now` is a range of it) in deadline order; the partial
            # order_due_at stays for the filter in the other orders: its size tells SQLite's planner how few
            # orders have a deadline, which the full index's statistics do not.
            models.Index(fields=["due_at", "-created_at", "-id"], name="order_by_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.customer_name}"


class NodeInstance(models.Model):
    scope_branch_field = "order__branch"

    order = models.ForeignKey(WorkOrder, models.CASCADE, related_name="nodes", db_index=False)  # unique (order, code)
    code = models.CharField(max_length=30)
    position = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=10, default="waiting")  # waiting, active, done
    role = models.CharField(max_length=30)
    department = models.CharField(max_length=30)
    clock_code = models.CharField(max_length=30, help_text="The clock that runs while this node is worked (I1)")
    ready_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["order", "position"]
        constraints = [models.UniqueConstraint(fields=["order", "code"], name="node_unique_per_order")]
        # Role first: 我的待办 asks for a role's active nodes, and an index led by the state would be chosen
        # by SQLite (no statistics) for the lists' "active nodes of these orders" over the (order, code) key,
        # scanning every active node for each page.
        # The active nodes by order (P4): 我的待办 walks the scope's open orders and needs only their active nodes
        # (about one an order), with what it filters and joins on (role, assignee, clock), not all of each order's
        # nodes from the table; the lists' prefetch of a page's active nodes reads it too. Partial: a node enters
        # it when it becomes active and leaves when done, in the write that changes its state.
        indexes = [
            models.Index(fields=["role", "state"]),
            models.Index(
                fields=["order", "role", "assignee", "clock_code", "id"],
                condition=models.Q(state="active"),
                name="node_active",
            ),
            # The order list's node-state filter (`node=…&node_state=…`, the dashboard's drill-down) asks for the
            # active nodes of one code: a few at most for most codes, read here instead of every active node of
            # the alarmed orders (234,000 probes, 1.4 s at 1,000,000 orders). PostgreSQL estimates the active
            # nodes of a code from the extended statistics of migration 0015 (state and code are not
            # independent: most nodes of the early codes are done).
            models.Index(fields=["code", "order", "clock_code"], condition=models.Q(state="active"),
                         name="node_active_code"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.order_id}:{self.code}"


class Clock(models.Model):
    scope_branch_field = "order__branch"

    order = models.ForeignKey(WorkOrder, models.CASCADE, related_name="clocks", db_index=False)  # unique (order, code)
    code = models.CharField(max_length=30)
    position = models.PositiveSmallIntegerField(default=0)
    nodes = models.JSONField(default=list)
    state = models.CharField(max_length=12, default="not_started")  # not_started running paused done cancelled
    limit_days = models.DecimalField(max_digits=5, decimal_places=1)
    condition_pending = models.BooleanField(default=False)
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    budget_seconds = models.PositiveIntegerField(null=True, blank=True)
    pauses = models.JSONField(default=list)  # [[begin, end | null], ...] in ISO 8601
    provisional = models.BooleanField(default=False)

    class Meta:
        ordering = ["order", "position"]
        constraints = [models.UniqueConstraint(fields=["order", "code"], name="clock_unique_per_order")]
        # No index by state: the lists read the deadlines from the order row (orders/due.py); one led by the
        # state would be chosen by SQLite for "the live clocks of these orders" over the (order, code) key.

    def __str__(self) -> str:
        return f"{self.order_id}:{self.code}"


class SuspensionReason(models.Model):
    """The configurable list of reasons a customer holds an order (I5)."""

    code = models.CharField(max_length=40, primary_key=True)
    name = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100, blank=True)
    requires_evidence = models.BooleanField(default=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("暂停原因")
        verbose_name_plural = _("暂停原因")

    def __str__(self) -> str:
        return self.name


class Suspension(models.Model):
    scope_branch_field = "order__branch"

    order = models.ForeignKey(
        WorkOrder, models.CASCADE, related_name="suspensions", db_index=False
    )  # unique (order, position)
    position = models.PositiveSmallIntegerField(default=0)
    reason = models.ForeignKey(SuspensionReason, models.PROTECT)
    evidence_note = models.TextField(blank=True)
    evidence_file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # I5: "" needs no review; pending (the clocks run on), approved (paused from its start), rejected.
    review = models.CharField(max_length=10, blank=True, default="")
    review_reasons = models.JSONField(default=list, blank=True)  # why it needs review: self, backdated, long

    class Meta:
        ordering = ["order", "position"]
        constraints = [models.UniqueConstraint(fields=["order", "position"], name="suspension_unique_position")]
        # The review page's look-up: few rows are pending, so a partial index stays small.
        indexes = [models.Index(fields=["review"], condition=models.Q(review="pending"), name="suspension_pending")]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.reason_id}@{self.started_at:%Y-%m-%d}"


class OrderEvent(models.Model):
    """Append-only (R16): never updated or deleted; the order's rows are its projection."""

    scope_branch_field = "order__branch"

    # Indexes on the log are written by every action: the order's is the unique (order, seq), the key's a
    # partial unique constraint (a unique field would add a second, LIKE-pattern index on PostgreSQL), and
    # the actor is not indexed (no look-up by actor yet; users are deactivated, not deleted).
    order = models.ForeignKey(WorkOrder, models.PROTECT, related_name="events", db_index=False)
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=40)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    source = models.CharField(max_length=10, choices=EventSource.choices)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 NULL: no key, never equal
    # SHA-256 of the request that carried the key (yekuo/orders/idempotency.py): the same key with another
    # body is refused (idempotency_mismatch), not answered with this event. Empty: no key, or recorded before.
    request_hash = models.CharField(max_length=64, blank=True, default="", db_default="")
    payload = models.JSONField(default=dict)
    backdated = models.BooleanField(default=False)
    reason = models.TextField(blank=True, help_text="Why a back-dated entry was made")

    # Not a column: True on an event that apply_events returns for a repeated idempotency key, which it did
    # not write (the control layer reports it as a duplicate).
    repeated = False

    class Meta:
        ordering = ["order", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["order", "seq"], name="event_unique_seq"),
            # Partial: most staff actions carry no key, and an index entry for each NULL is a write for nothing.
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="event_unique_idempotency_key",
            ),
        ]
        # No index on (type, occurred_at) until a report needs one: every action writes every index.

    def __str__(self) -> str:
        return f"{self.order_id}#{self.seq} {self.type}"


class OrderCounter(models.Model):
    """Per-month counter behind readable order numbers (YK2026110001)."""

    period = models.CharField(max_length=6, primary_key=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.period}: {self.value}"


class PersonalDataReveal(models.Model):
    """One reveal of an order's personal data to a member of staff (O9): who saw which field of
    which order, when. Written by `services.reveal_personal_data`, read by auditors; never changed."""

    scope_branch_field = "order__branch"

    class Field(models.TextChoices):
        PHONE = "customer_phone", _("联系电话")
        ID_NUMBER = "customer_id_number", _("证件号码")

    order = models.ForeignKey(WorkOrder, models.PROTECT, related_name="+", verbose_name=_("业扩工单"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("查看人"))
    field = models.CharField(_("字段"), max_length=30, choices=Field.choices)
    revealed_at = models.DateTimeField(_("查看时间"), db_index=True)

    class Meta:
        ordering = ["-revealed_at", "-pk"]
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")

    def __str__(self) -> str:
        return f"{self.user} {self.order_id}:{self.field}@{self.revealed_at:%Y-%m-%d %H:%M}"


class CalendarRecompute(models.Model):
    """One recompute of open clocks after a calendar change (I7), run as a background job.

    One row per calendar revision (`token`): the job is resumable (each order's recompute and the job's
    progress are written in one transaction, so `last_order_id` says exactly how far it got) and
    idempotent (an order that already has this revision's `calendar.recomputed` event is skipped, and
    one whose clocks did not move is not written)."""

    token = models.CharField(max_length=32, unique=True, help_text="CalendarRevision.token of the change")
    years = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0, help_text="open orders that may depend on the years")
    done = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField(default=0, help_text="orders whose clocks moved (each has the event)")
    last_order_id = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="why the last run stopped; the next run resumes")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"recompute {self.years} ({self.done}/{self.total})"
