from yekuo.accounts.demo import create_demo_org
from yekuo.intake.demo import create_demo_platforms
from yekuo.intake.models import Platform


def test_the_demo_has_the_four_platforms_and_is_idempotent(db):
    create_demo_org()
    assert create_demo_platforms() == {"platforms": 4}
    assert create_demo_platforms() == {"platforms": 4}
    assert Platform.objects.get(code="approval_platform").route == "queue"
    assert Platform.objects.get(code="investment_platform").route == "reserve"
    assert Platform.objects.get(code="mengsuban").account.role_codes == {"integration"}
