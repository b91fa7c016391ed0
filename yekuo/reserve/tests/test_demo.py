from yekuo.accounts.demo import create_demo_org
from yekuo.reserve.demo import create_demo_reserve
from yekuo.reserve.models import Project, Stage


def test_the_demo_library_has_every_open_stage_and_is_idempotent(db):
    create_demo_org()
    assert create_demo_reserve() == {"reserve projects": 4}
    assert create_demo_reserve() == {"reserve projects": 4}
    stages = set(Project.objects.values_list("stage", flat=True))
    assert stages == {Stage.IDENTIFIED, Stage.CONTACTED, Stage.WORKS_PLANNED, Stage.DROPPED}
    assert Project.objects.filter(branch__code="kangbashi").count() == 2
