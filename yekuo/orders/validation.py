"""The rules an order's data must meet, checked once for every way in (REQUIREMENTS O8).

`order_create` (and any service that edits an order) calls `validate_order`; the counter form, the API
and the control layer's events all go through it, so a rule is written and tested once. Every invalid
field is reported at once (`FieldErrors`, code "invalid_input", with `errors` per field as the API's
JSON error format has them), in the user's language: Chinese msgids, English in yekuo/locale.

`clean_text` is the one rule for control characters in text (O8): every text field of an order
and of its events passes through it, so nothing that breaks a workbook, a terminal or PostgreSQL (NUL) is
ever stored. The ranges of supply voltage and capacity per category are data (data/supply_ranges.toml,
documented with their sources in docs/validation.md).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from yekuo.common.errors import InvalidInput

RANGES_FILE = Path(__file__).parent / "data" / "supply_ranges.toml"


class FieldErrors(InvalidInput):
    """Several invalid fields at once: `errors` maps each field to its messages; `field` and `message`
    are the first of them, so a caller that shows one error still shows the right one."""

    def __init__(self, errors: dict[str, list[str]]):
        field, messages = next(iter(errors.items()))
        super().__init__(str(messages[0]), field=field)
        self.errors = {name: [str(m) for m in found] for name, found in errors.items()}

    def as_dict(self) -> dict:
        return {**super().as_dict(), "errors": self.errors}


# ------------------------------------------------------------------------------------------ control characters
# Tab, line feed and carriage return are text in a multi-line field (a note, a reason); anything else below
# U+0020, DEL and the C1 controls U+0080–U+009F are never text: they break workbooks (openpyxl refuses them),
# terminals and logs, and PostgreSQL cannot store NUL at all.
MULTILINE_ALLOWED = frozenset("\t\n\r")


def control_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The control characters in `value` that the field may not hold (as U+XXXX), in order, once each."""
    found: list[str] = []
    for char in value:
        if unicodedata.category(char) == "Cc" and not (multiline and char in MULTILINE_ALLOWED):
            code = f"U+{ord(char):04X}"
            if code not in found:
                found.append(code)
    return found


def clean_text(value, *, field: str, multiline: bool = False) -> str:
    """`value` as a stored text: stripped, line ends as "\\n" in a multi-line field; raises InvalidInput
    (naming `field`) when it holds a control character the field may not hold (O8)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(_("%(field)s 必须是文本") % {"field": field}, field=field)
    bad = control_characters(value, multiline=multiline)
    if bad:
        raise InvalidInput(
            _("包含不可见的控制字符（%(codes)s），请删除后重新输入") % {"codes": ", ".join(bad)}, field=field
        )
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.strip()


# ------------------------------------------------------------------------------------------ phone numbers
MOBILE = re.compile(r"1[3-9]\d{9}")  # mainland mobile numbers (MIIT numbering plan: 13x–19x)
# Landline: area code 0 + 2–3 digits (010, 0477), then the 7–8 digit number, optional extension.
LANDLINE = re.compile(r"0\d{2,3}-?[1-9]\d{6,7}(?:(?:-|转|ext\.?)\d{1,6})?", re.IGNORECASE)
PHONE_SEPARATORS = re.compile(r"[\s()（）]")


def normalize_phone(value: str) -> str:
    """The number without spaces and brackets, and without a leading +86/0086 for a mobile."""
    value = PHONE_SEPARATORS.sub("", value)
    for prefix in ("+86", "0086"):
        if value.startswith(prefix) and MOBILE.fullmatch(value[len(prefix) :].replace("-", "")):
            return value[len(prefix) :].replace("-", "")
    return value.replace("-", "") if MOBILE.fullmatch(value.replace("-", "")) else value


def phone_ok(value: str) -> bool:
    return bool(MOBILE.fullmatch(value) or LANDLINE.fullmatch(value))


# ------------------------------------------------------------------------------------------ identity numbers
ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # GB 11643-1999, ISO 7064 MOD 11-2
ID_CHECK = "10X98765432"


def resident_id_check(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def resident_id_ok(value: str) -> bool:
    """An 18-digit resident ID number (GB 11643-1999): a valid birth date, not in the future, and the
    ISO 7064 MOD 11-2 check character (0–9 or X)."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= timezone.localdate() and resident_id_check(value[:17]) == value[17]


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z
USCC_WEIGHTS = [3**i % 31 for i in range(17)]


def uscc_check(first17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def uscc_ok(value: str) -> bool:
    """A unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters of its alphabet, the
    six-digit region code in positions 3–8 and the check character (MOD 31)."""
    if len(value) != 18 or any(c not in USCC_CHARS for c in value) or not value[2:8].isdigit():
        return False
    return uscc_check(value[:17]) == value[17]


# ------------------------------------------------------------------------------------------ supply
@cache
def supply_ranges() -> dict[str, dict[str, tuple[Decimal, Decimal]]]:
    """category → voltage → (min kVA, max kVA), from data/supply_ranges.toml."""
    with RANGES_FILE.open("rb") as file:
        data = tomllib.load(file)
    return {
        category: {voltage: (Decimal(str(low)), Decimal(str(high))) for voltage, (low, high) in voltages.items()}
        for category, voltages in data.items()
    }


def supply_errors(category: str, voltage: str, capacity) -> dict[str, str]:
    """Errors of the voltage and capacity for the category (data/supply_ranges.toml); {} when they fit."""
    ranges = supply_ranges().get(category)
    if ranges is None:
        return {}  # an unknown category is the regulation's refusal (services.order_create)
    try:
        kva = Decimal(str(capacity))
    except InvalidOperation:
        return {"capacity_kva": _("申请容量必须是数字（kVA）")}
    if voltage not in ranges:
        return {
            "voltage": _("%(category)s 的供电电压应为 %(voltages)s")
            % {"category": _category_name(category), "voltages": " / ".join(ranges)}  # read alike in both languages
        }
    low, high = ranges[voltage]
    if not low <= kva <= high:
        return {
            "capacity_kva": _("%(category)s %(voltage)s 的申请容量应在 %(low)s–%(high)s kVA 之间")
            % {"category": _category_name(category), "voltage": voltage, "low": _plain(low), "high": _plain(high)}
        }
    return {}


def _plain(value: Decimal) -> str:
    return f"{value:,f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:,f}"


def _category_name(code: str) -> str:
    from yekuo.regulations.codes import CATEGORIES

    return _(CATEGORIES[code]) if code in CATEGORIES else code


# ------------------------------------------------------------------------------------------ the order
# The text fields of an order, with their lengths (those of the model's columns).
ORDER_TEXTS = {
    "customer_name": 100,
    "customer_id_number": 40,
    "customer_phone": 30,
    "site_address": 200,
    "customer_notice": 200,
}
# Categories whose customer is a person (an ID number); the others may also be an organisation (a code).
PERSON_CATEGORIES = {"lv_resident"}


@dataclass
class OrderValues:
    """An order's data as it is stored: cleaned, with its branch and service area resolved."""

    customer_name: str
    customer_id_number: str
    customer_phone: str
    customer_notice: str
    site_address: str
    capacity_kva: Decimal
    voltage: str
    branch: object
    service_area: object


def validate_order(
    *,
    category: str,
    customer_name,
    site_address,
    capacity_kva,
    voltage: str,
    customer_id_number="",
    customer_phone="",
    customer_notice="",
    branch=None,
    service_area=None,
    company=None,
) -> OrderValues:
    """Check an order's data (REQUIREMENTS O8); returns it cleaned, or raises FieldErrors with every fault.

    `company` bounds the service areas an address may map to (the branch's, else the actor's company).
    """
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    given = {
        "customer_name": customer_name,
        "customer_id_number": customer_id_number,
        "customer_phone": customer_phone,
        "site_address": site_address,
        "customer_notice": customer_notice,
    }
    texts = {}
    for field, limit in ORDER_TEXTS.items():
        try:
            texts[field] = clean_text(given[field], field=field)
        except InvalidInput as error:
            fail(field, error.message)
            texts[field] = ""
            continue
        if len(texts[field]) > limit:
            fail(field, _("最多 %(limit)s 个字符") % {"limit": limit})
    if not texts["customer_name"] and "customer_name" not in errors:
        fail("customer_name", _("请填写客户名称"))
    if not texts["site_address"] and "site_address" not in errors:
        fail("site_address", _("请填写用电地址"))

    phone = normalize_phone(texts["customer_phone"])
    if phone and not phone_ok(phone):
        fail("customer_phone", _("请填写11位手机号码，或带区号的固定电话（如 0477-8123456，可加分机号）"))
    elif not phone and not texts["customer_notice"] and "customer_notice" not in errors:
        # The phone is the customer's key to tracking the order (progress lookup, notices).
        fail("customer_phone", _("请填写客户联系电话；客户没有电话时，在“告知方式”中写明如何告知客户"))

    id_number = texts["customer_id_number"].upper()
    if id_number:
        if category in PERSON_CATEGORIES and not resident_id_ok(id_number):
            fail("customer_id_number", _("请填写18位居民身份证号码（出生日期和校验位须正确）"))
        elif not (resident_id_ok(id_number) or uscc_ok(id_number)):
            fail(
                "customer_id_number",
                _("请填写18位居民身份证号码，或单位的18位统一社会信用代码（校验位须正确）"),
            )

    for field, message in supply_errors(category, voltage, capacity_kva).items():
        fail(field, message)

    branch, service_area = _place(texts["site_address"], branch, service_area, company, fail)
    if errors:
        raise FieldErrors(errors)
    return OrderValues(
        customer_name=texts["customer_name"],
        customer_id_number=id_number,
        customer_phone=phone,
        customer_notice=texts["customer_notice"],
        site_address=texts["site_address"],
        capacity_kva=Decimal(str(capacity_kva)),
        voltage=voltage,
        branch=branch,
        service_area=service_area,
    )


def _place(address: str, branch, service_area, company, fail):
    """(branch, service area) of the order: the area chosen, else the one the address maps to within the
    branch (or company) given (R3); the area is always stored, so an address that maps to none needs one
    chosen by hand."""
    from yekuo.accounts.models import ServiceArea
    from yekuo.accounts.selectors import propose_service_area

    if service_area is not None:
        if branch is not None and service_area.branch_id != branch.pk:
            fail("service_area", _("营业区“%(area)s”不属于%(branch)s") % {"area": service_area, "branch": branch})
            return branch, None
        return service_area.branch, service_area
    if not address:
        return branch, None
    if branch is not None:
        found = propose_service_area(address, areas=ServiceArea.objects.filter(branch=branch))
    else:
        found = propose_service_area(address, company)
    if found is None:
        fail(
            "service_area",
            _("用电地址未能对应到本公司的营业区（地址中应有区、旗、镇等地名），请选择营业区"),
        )
        return branch, None
    # The branch given is the area's (the search was narrowed to it), and the caller's instance may carry its
    # company already: keep it rather than the area's copy, which would read the company again.
    return (branch if branch is not None else found.branch), found


# ------------------------------------------------------------------------------------------ events
# The free-text parts of an event's payload (notes, reasons, evidence): multi-line.
EVENT_TEXTS = {"note": "note", "reason": "reason", "evidence": "evidence_note"}


def check_event_texts(payload: dict, reason: str = "") -> None:
    """Refuse an event whose texts hold control characters (O8); nothing is changed. The field
    named is the one the staff forms and the API call it (`reason_code` for a suspension's reason)."""
    for key, field in EVENT_TEXTS.items():
        value = payload.get(key)
        if isinstance(value, str):
            clean_text(value, field=field, multiline=True)
    if reason:
        clean_text(reason, field="reason", multiline=True)


# ------------------------------------------------------------------------------------------ approval inputs
def _texts_of(value):
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts_of(key)
            yield from _texts_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts_of(item)


# What yekuo's own classification records beside the facts (approvals.works.works_decide), with their types.
DECISION_INPUTS = {"rule_set": str, "classified_low_risk": bool, "failed": list, "override_reason": str}


def check_approval_inputs(inputs) -> None:
    """The facts recorded with `approval.decided` (R6, O8): the R6 facts as `approvals.facts.read_facts`
    reads them — exactly its keys, numbers within their bounds, true/false flags, a route of place names, a
    date — with no control character in any text. Either the facts themselves (a system that classified
    elsewhere), or yekuo's classification: `{"facts": {…}, "rule_set", "classified_low_risk", "failed",
    "override_reason"?}`. Refused with field "inputs", naming the fact."""
    from yekuo.approvals.facts import read_facts

    bad = sorted({code for text in _texts_of(inputs) for code in control_characters(text)})
    if bad:
        raise InvalidInput(f"inputs: a text contains control characters ({', '.join(bad)})", field="inputs")
    facts = inputs
    if isinstance(inputs, dict) and "facts" in inputs:
        facts = inputs["facts"]
        for key, value in inputs.items():
            if key == "facts":
                continue
            kind = DECISION_INPUTS.get(key)
            if kind is None:
                raise InvalidInput(f"inputs: {key}: unknown key; expected: facts, {', '.join(DECISION_INPUTS)}",
                                   field="inputs")  # fmt: skip
            if not isinstance(value, kind) or (kind is list and not all(isinstance(v, str) for v in value)):
                raise InvalidInput(f"inputs: {key}: expected {kind.__name__}", field="inputs")
    try:
        read_facts(facts)
    except InvalidInput as error:
        raise InvalidInput(f"inputs: {error.message}", field="inputs") from None
