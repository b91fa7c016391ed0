"""Every requirement the code cites resolves in docs/requirements.md, so a reader can look each one up."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "requirements.md").read_text(encoding="utf-8")
CODE = [p for d in ("yekuo", "config") for p in (ROOT / d).rglob("*") if p.suffix in {".py", ".html", ".toml"}]

# R… the notice's requirements, I… interpretations, D… decisions, P… performance, O… operations and
# interfaces, S… security.
ID = re.compile(r"\b([RIDPOS][0-9]{1,2})\b")
RANGE = re.compile(r"\b([RIDPOS])([0-9]{1,2})[–-]\1?([0-9]{1,2})\b")  # R14–R16, I1–I6
SECTIONS = re.compile(r"REQUIREMENTS ((?:§[0-9]+(?:, )?)+)")


def citations(pattern: re.Pattern) -> dict[str, list[str]]:
    """Each match of `pattern` in the code, with the files that cite it."""
    found: dict[str, list[str]] = {}
    for path in CODE:
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(0), []).append(str(path.relative_to(ROOT)))
    return found


def test_every_cited_requirement_id_has_an_entry():
    entries = set(re.findall(r"^#{2,4} ([RIDPOS][0-9]{1,2})\b", DOC, re.M))
    cited = citations(ID)
    for text, where in citations(RANGE).items():
        letter, first, last = RANGE.match(text).groups()
        for n in range(int(first), int(last) + 1):
            cited.setdefault(f"{letter}{n}", where)
    missing = {i: sorted(set(where)) for i, where in cited.items() if i not in entries}
    assert not missing, f"cited in the code but not defined in docs/requirements.md: {missing}"
    assert {"R8", "R15", "I5", "D1"} <= cited.keys()  # the scan sees the code's citations


def test_every_cited_section_exists():
    sections = set(re.findall(r"^## ([0-9]+)\. ", DOC, re.M))
    for text, where in citations(SECTIONS).items():
        for number in re.findall(r"§([0-9]+)", text):
            assert number in sections, f"{text} ({where[0]}) has no section {number} in docs/requirements.md"


def test_the_notice_is_cited_by_its_sections():
    for text, where in citations(re.compile(r"notice §[0-9]+")).items():
        assert 1 <= int(text.rsplit("§", 1)[1]) <= 4, f"{text} ({where[0]}): the notice has sections 1–4"


def test_the_code_cites_no_issue():
    """Issues live outside the repository: the code cites the requirement an issue asked for instead."""
    found = citations(re.compile(r"\bissue [0-9]+"))
    assert not found, f"cite docs/requirements.md ids instead of issues: {found}"


def test_every_path_in_the_document_exists():
    paths = set(re.findall(r"`((?:yekuo|config|tests|docs|bench)/[^`\s]*)`", DOC))
    assert len(paths) > 20
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"docs/requirements.md names files that do not exist: {missing}"
