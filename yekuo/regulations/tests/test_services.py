"""Publishing versions (immutable once published) and selecting the one in force on a date (R14)."""

import json
from datetime import UTC, date, datetime

import pytest

from yekuo.common.errors import Conflict, FileFormatError, InvalidInput, YekuoError
from yekuo.regulations import selectors, services
from yekuo.regulations.models import Regulation
from yekuo.regulations.tests.conftest import BUNDLED

pytestmark = pytest.mark.django_db


def test_load_publishes_the_normalised_spec(spec):
    result = services.regulation_load(BUNDLED)
    assert (result.code, result.status, result.effective_from) == (
        "ordos-2022-64",
        "loaded",
        date(2022, 7, 17),
    )
    row = Regulation.objects.get(code="ordos-2022-64")
    assert row.document == "鄂电营销〔2022〕64号"
    assert row.supersedes == "鄂电营销〔2021〕66号"
    assert json.loads(row.content) == spec.to_content()
    # Stored as text, in the file's order (PostgreSQL's jsonb would reorder the nodes).
    assert list(json.loads(row.content)["categories"]["hv10_dual"]["nodes"])[:2] == ["acceptance", "survey_plan"]
    assert len(row.checksum) == 64 and row.checksum == result.checksum
    assert selectors.regulation_get("ordos-2022-64") == spec


def test_same_file_again_is_unchanged():
    first = services.regulation_load(BUNDLED)
    again = services.regulation_load(BUNDLED)
    assert again.status == "unchanged" and again.same_file and again.checksum == first.checksum
    assert Regulation.objects.count() == 1


def test_comment_only_edit_is_unchanged(bundled_text, write):
    services.regulation_load(BUNDLED)
    result = services.regulation_load(write(bundled_text + "\n# a clarified comment\n"))
    assert result.status == "unchanged" and not result.same_file
    assert "comments or layout" in result.as_dict()["note"]
    assert Regulation.objects.get().checksum == services.regulation_load(BUNDLED).checksum


def test_changed_content_under_a_published_code_is_refused(bundled_text, write):
    services.regulation_load(BUNDLED)
    changed = write(
        bundled_text.replace('nodes = ["grid_works"]\nlimit = 18', 'nodes = ["grid_works"]\nlimit = 15').replace(
            "critical_path = 27.5", "critical_path = 24.5"
        )
    )
    with pytest.raises(Conflict, match="new version with a new code and a new effective_from"):
        services.regulation_load(changed)
    assert selectors.regulation_get("ordos-2022-64").category("hv10_dual").clock("grid_works").limit.days() == 18


def test_new_code_and_date_is_a_new_version(later_version):
    services.regulation_load(BUNDLED)
    result = services.regulation_load(later_version())
    assert result.status == "loaded"
    assert [r["code"] for r in selectors.regulation_list()] == ["ordos-2022-64", "ordos-2025-01"]
    later = selectors.regulation_get("ordos-2025-01")
    assert later.category("hv10_single").utility_days({"low_risk": True}) == 13.5
    assert selectors.regulation_get("ordos-2022-64").category("hv10_single").utility_days({"low_risk": True}) == 16.5


def test_two_versions_on_the_same_day_are_refused(later_version):
    services.regulation_load(BUNDLED)
    with pytest.raises(Conflict, match="already takes effect on 2022-07-17"):
        services.regulation_load(later_version(effective="2022-07-17"))
    assert Regulation.objects.count() == 1


def test_invalid_file_writes_nothing(write):
    with pytest.raises(FileFormatError):
        services.regulation_load(write("code = 'x'\n"))
    assert not Regulation.objects.exists()


def test_load_bundled_is_idempotent():
    assert [r.status for r in services.regulation_load_bundled()] == ["loaded"]
    assert [r.status for r in services.regulation_load_bundled()] == ["unchanged"]


def test_load_bundled_is_all_or_nothing(tmp_path, bundled_text):
    (tmp_path / "a.toml").write_text(bundled_text, encoding="utf-8")
    (tmp_path / "b.toml").write_text("format = 1\n", encoding="utf-8")
    with pytest.raises(FileFormatError):
        services.regulation_load_bundled(tmp_path)
    assert not Regulation.objects.exists()


@pytest.mark.parametrize(
    ("on", "code"),
    [
        (date(2022, 7, 17), "ordos-2022-64"),
        (date(2025, 2, 28), "ordos-2022-64"),
        (date(2025, 3, 1), "ordos-2025-01"),
        (date(2030, 1, 1), "ordos-2025-01"),
        # an instant is cut to its date in Asia/Shanghai: 2025-02-28 17:00 UTC is 03-01 01:00 there
        (datetime(2025, 2, 28, 17, 0, tzinfo=UTC), "ordos-2025-01"),
        (datetime(2025, 2, 28, 15, 0, tzinfo=UTC), "ordos-2022-64"),
    ],
)
def test_effective_selects_by_date(later_version, on, code):
    services.regulation_load(later_version())  # loaded out of order on purpose
    services.regulation_load(BUNDLED)
    assert selectors.regulation_effective(on).code == code


def test_nothing_in_force_before_the_first_version():
    with pytest.raises(YekuoError, match="no regulation is loaded") as info:
        selectors.regulation_effective(date(2022, 7, 17))
    assert info.value.code == "no_regulation"
    services.regulation_load(BUNDLED)
    with pytest.raises(YekuoError, match="ordos-2022-64, takes effect on 2022-07-17"):
        selectors.regulation_effective(date(2022, 7, 16))


def test_naive_instant_is_refused():
    services.regulation_load(BUNDLED)
    with pytest.raises(InvalidInput, match="no UTC offset"):
        selectors.regulation_effective(datetime(2023, 1, 1, 9, 0))


def test_unknown_code():
    with pytest.raises(YekuoError, match="no regulation 'nope' is loaded") as info:
        selectors.regulation_get("nope")
    assert info.value.code == "not_found"


def test_specs_are_cached(django_assert_num_queries):
    services.regulation_load(BUNDLED)
    first = selectors.regulation_get("ordos-2022-64")
    with django_assert_num_queries(1):  # the checksum only; the content is not parsed again
        assert selectors.regulation_get("ordos-2022-64") is first
