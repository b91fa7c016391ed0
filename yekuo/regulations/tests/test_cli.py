"""`yekuo regulations …`: in process (call_command) and as the installed console command."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from yekuo.regulations.tests.conftest import BUNDLED

ROOT = Path(__file__).parents[3]
CONSOLE = Path(sys.executable).parent / "yekuo"
YEKUO = [str(CONSOLE)] if CONSOLE.exists() else [sys.executable, "-m", "yekuo.cli"]


def run(*args) -> str:
    out = StringIO()
    call_command("regulations", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_list_effective(later_version):
    assert json.loads(run("load", str(BUNDLED)))["status"] == "loaded"
    assert json.loads(run("load", str(BUNDLED)))["status"] == "unchanged"
    run("load", str(later_version()))
    listed = json.loads(run("list"))
    assert [(r["code"], r["effective_from"]) for r in listed] == [
        ("ordos-2022-64", "2022-07-17"),
        ("ordos-2025-01", "2025-03-01"),
    ]
    assert listed[0]["categories"] == ["lv_resident", "lv_business", "hv10_single", "hv10_dual"]
    assert json.loads(run("effective", "--on", "2025-02-28")) == {
        "code": "ordos-2022-64",
        "document": "鄂电营销〔2022〕64号",
        "effective_from": "2022-07-17",
    }
    assert json.loads(run("effective", "--on", "2025-03-01"))["code"] == "ordos-2025-01"


@pytest.mark.django_db
def test_load_bundled_twice():
    assert [r["status"] for r in json.loads(run("load-bundled"))] == ["loaded"]
    assert [r["status"] for r in json.loads(run("load-bundled"))] == ["unchanged"]


@pytest.mark.django_db
def test_show_prints_the_table():
    run("load-bundled")
    text = run("show", "ordos-2022-64", "--category", "lv_business")
    assert "鄂电营销〔2022〕64号" in text and "低压非居民 lv_business" in text
    assert "环节名称 stage" in text and "归口部门 department" in text
    lines = text.splitlines()
    approval = next(line for line in lines if "approval" in line and "办理行政审批" in line)
    assert approval.split()[:4] == ["施工接电", "construction", "办理行政审批（备案）手续", "approval"]
    assert " 0/3 " in approval and "从供电方案完成后开始计算" in approval  # I8: 0 when low-risk, else 3
    assert "生产技术部 production_technology" in approval
    energize = next(line for line in lines if "contract_energize" in line)
    assert "(3, shared with grid_works)" in energize and "客户经理 customer_manager" in energize
    assert "critical path, utility time: 4.5" in text
    assert "hv10_dual" not in text
    everything = run("show", "ordos-2022-64")
    assert all(code in everything for code in ("lv_resident", "lv_business", "hv10_single", "hv10_dual"))
    single = next(line for line in everything.splitlines() if "approval" in line and "0/3" in line)
    assert "项目经理 project_manager" in single


@pytest.mark.django_db
def test_show_json():
    run("load-bundled")
    data = json.loads(run("show", "ordos-2022-64", "--category", "hv10_single", "--json"))
    assert data["code"] == "ordos-2022-64" and [c["code"] for c in data["categories"]] == ["hv10_single"]
    rows = {r["node"]: r for r in data["categories"][0]["rows"]}
    assert rows["approval"]["limit"] == {"by": "low_risk", "true": 0, "false": 3, "pending": 3}
    assert rows["approval"]["limit_text"] == "0/3"
    assert rows["acceptance"]["starts"][1]["channels"] == ["counter", "assisted"]
    assert data["categories"][0]["critical_path"] == {
        "by": "low_risk",
        "true": 16.5,
        "false": 19.5,
        "pending": 19.5,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "nope"], "not_found: no regulation 'nope' is loaded"),
        (
            ["show", "ordos-2022-64", "--category", "hv20"],
            "invalid_input: regulation ordos-2022-64 has no category 'hv20'",
        ),
        (["effective", "--on", "2022-07-16"], "no_regulation: no regulation is in force on 2022-07-16"),
        (["effective", "--on", "17.7.2022"], "invalid_input: --on '17.7.2022' is not a date"),
        (["load", "/nonexistent.toml"], "file_format: /nonexistent.toml:0: cannot read the file"),
    ],
)
def test_errors_exit_2(args, message):
    run("load-bundled")
    with pytest.raises(CommandError) as info:
        run(*args)
    assert info.value.returncode == 2
    assert str(info.value).startswith(message)


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """The real console command on its own SQLite database, migrated and loaded."""
    data = tmp_path_factory.mktemp("regulations-cli")
    env = {**os.environ, "YEKUO_DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data / 'cli.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for args in (["migrate", "--noinput", "-v0"], ["regulations", "load-bundled"]):
        subprocess.run([*YEKUO, *args], env=env, check=True, capture_output=True, cwd=ROOT)

    def call(*args):
        return subprocess.run([*YEKUO, *args], env=env, capture_output=True, text=True, cwd=ROOT)

    return call


@pytest.mark.slow  # starts a subprocess
def test_console_show(console):
    done = console("regulations", "show", "ordos-2022-64", "--category", "hv10_dual")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "10千伏双电源 hv10_dual" in out
    for cell in (
        "图纸审查 drawing_review",
        "中间检查 mid_inspection",
        "签订合同、竣工检验 contract_inspection",
        "18",
    ):
        assert cell in out
    review = next(line for line in out.splitlines() if "drawing_review" in line and "图纸审查" in line)
    assert "与业扩配套工程同步开展，从接收受电工程设计文件后开始计算" in review and "营销服务部" in review
    assert "critical path, utility time: 27.5" in out


@pytest.mark.slow  # starts a subprocess
def test_console_error_is_one_line_and_exit_2(console):
    done = console("regulations", "show", "ordos-2022-64", "--category", "hv10_triple")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "has no category 'hv10_triple'" in lines[0]
