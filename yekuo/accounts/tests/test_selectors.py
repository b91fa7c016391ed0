"""propose_branch (R3: the branch proposed from the site address)."""

import pytest

from yekuo.accounts.demo import create_demo_org
from yekuo.accounts.models import ServiceArea
from yekuo.accounts.selectors import propose_branch, users_with_role


@pytest.fixture
def ordos(db):
    return create_demo_org()


PROPOSALS = [
    ("内蒙古自治区鄂尔多斯市东胜区天骄路18号", "dongsheng", "dongsheng_city"),
    ("鄂尔多斯市东胜区铜川镇碾盘梁村", "dongsheng", "dongsheng_rural"),
    ("鄂尔多斯市康巴什区哈巴格希街道北区12号楼", "kangbashi", "kangbashi"),
    ("鄂尔多斯市伊金霍洛旗阿勒腾席热镇", "yijinhuoluo", "yijinhuoluo_town"),
    ("鄂尔多斯市伊金霍洛旗札萨克镇门克庆村", "yijinhuoluo", "yijinhuoluo_mining"),
    ("鄂尔多斯市达拉特旗树林召镇", "dalate", "dalate"),
    ("达旗王爱召镇", "dalate", "dalate"),
    # A street named after another place does not mislead: 伊金霍洛西街 is a street of 东胜区.
    ("鄂尔多斯市东胜区伊金霍洛西街5号", "dongsheng", "dongsheng_city"),
    ("呼和浩特市新城区", None, None),
    ("", None, None),
]


@pytest.mark.parametrize(("address", "branch", "area"), PROPOSALS)
def test_proposals(ordos, address, branch, area):  # area: the service area that decides it
    proposed = propose_branch(address)
    assert (proposed.code if proposed else None) == branch


def test_a_tie_inside_one_branch_still_proposes_the_branch(ordos):
    ServiceArea.objects.create(
        branch=ordos.branches["dongsheng"], code="dongsheng_new", name="新营业区", keywords=["铜川镇"]
    )
    assert propose_branch("东胜区铜川镇").code == "dongsheng"


def test_a_tie_between_branches_proposes_nothing(ordos):
    ServiceArea.objects.create(branch=ordos.branches["dalate"], code="disputed", name="争议区", keywords=["铜川镇"])
    assert propose_branch("东胜区铜川镇") is None


def test_company_limits_the_proposal(ordos, cast):
    assert propose_branch("东区", company=cast.company) == cast.east
    assert propose_branch("东胜区", company=cast.company) is None
    assert propose_branch("东胜区", company=ordos.company).code == "dongsheng"


def test_users_with_role(cast):
    assert list(users_with_role("acceptance_clerk", cast.east)) == [cast.clerk]
    assert list(users_with_role("acceptance_clerk", cast.east, active=False)) == [cast.clerk, cast.inactive]
    assert list(users_with_role("dispatcher", cast.west)) == [cast.dispatcher]
    assert list(users_with_role("department_manager", cast.east)) == [cast.department_manager]
