import tomllib
from pathlib import Path

import pytest

from yekuo.common.errors import FileFormatError
from yekuo.regulations.loader import load_file
from yekuo.regulations.services import BUNDLED_DIR

BUNDLED = BUNDLED_DIR / "ordos-2022-64.toml"
# table headers of the bundled file, for edit()
LVR = "[categories.lv_resident"
HV1 = "[categories.hv10_single"
HV2 = "[categories.hv10_dual"


def edit(text: str, section: str, old: str, new: str) -> str:
    """Replace the first `old` after the line that starts `section` (a table header, or "" for the top)."""
    start = text.index(section) if section else 0
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old) :]


def refused(path, where: str, *fragments: str) -> FileFormatError:
    with pytest.raises(FileFormatError) as info:
        load_file(path)
    error = info.value
    assert (error.path, error.where) == (str(path), where), error.message
    for fragment in fragments:
        assert fragment in error.problem, error.message
    assert error.message.startswith(f"{path}:{where}: ")
    return error


@pytest.fixture(scope="session")
def spec():
    return load_file(BUNDLED)[0]


@pytest.fixture
def bundled_text() -> str:
    return BUNDLED.read_text(encoding="utf-8")


@pytest.fixture
def write(tmp_path):
    """Write a regulation file into tmp_path and return its path."""

    def write(text: str, name: str = "regulation.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def later_version(bundled_text, write):
    """A second, later version: new code and date, grid works of 10 kV single-source cut from 13 to 10."""

    def make(code="ordos-2025-01", effective="2025-03-01", name="later.toml") -> Path:
        text = (
            bundled_text.replace('code = "ordos-2022-64"', f'code = "{code}"')
            .replace("effective_from = 2022-07-17", f"effective_from = {effective}")
            .replace('document = "鄂电营销〔2022〕64号"', 'document = "测试用〔2025〕1号"')
            .replace('supersedes = "鄂电营销〔2021〕66号"', 'supersedes = "鄂电营销〔2022〕64号"')
            .replace('nodes = ["grid_works"]\nlimit = 13', 'nodes = ["grid_works"]\nlimit = 10')
            .replace("true = 16.5, false = 19.5, pending = 19.5", "true = 13.5, false = 16.5, pending = 16.5")
        )
        assert tomllib.loads(text)["code"] == code
        return write(text, name)

    return make


@pytest.fixture(autouse=True)
def no_regulations_loaded(request):
    """These tests load regulations themselves; start them from an empty table.

    The session set-up (root conftest.py) loads the bundled regulation for every other app's tests;
    the deletion here runs inside the test's transaction and is rolled back after it.
    """
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        if marker is None:
            return
    request.getfixturevalue("db")
    from yekuo.regulations.models import Regulation

    Regulation.objects.all().delete()
