"""A realistic demo organisation (O2).

鄂尔多斯供电公司 with four branches, their supply stations and service areas (address keywords are real
districts, banners and towns of Ordos), the three departments, and one user of every role: the
customer service center, the departments and the administration work for the whole company; each branch
has its own clerk, customer and project managers and manager. All demo users share one password,
`DEMO_PASSWORD`; the logins are listed in docs/demo.md.

Idempotent: rows are found by code or username and brought back to the values below, so running it
twice changes nothing (and resets edited demo rows and passwords).
"""

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from yekuo.accounts.codes import DEPARTMENTS
from yekuo.accounts.models import Branch, Company, Department, ServiceArea, Station, User
from yekuo.accounts.services import user_place, user_set_roles

DEMO_PASSWORD = "yekuo-demo-2026"
COMPANY = ("ordos", "鄂尔多斯供电公司")

# code, name, stations [(code, name)], service areas [(code, name, keywords)]
BRANCHES = [
    (
        "dongsheng",
        "东胜供电分公司",
        [("tongchuan", "铜川供电所"), ("hantai", "罕台供电所")],
        [
            ("dongsheng_city", "东胜城区营业区", ["东胜区", "东胜城区"]),
            ("dongsheng_rural", "东胜郊区营业区", ["铜川镇", "罕台镇", "泊尔江海子镇"]),
        ],
    ),
    (
        "kangbashi",
        "康巴什供电分公司",
        [("habagexi", "哈巴格希供电所"), ("qingchunshan", "青春山供电所")],
        [("kangbashi", "康巴什营业区", ["康巴什区", "康巴什新区", "哈巴格希街道", "青春山街道"])],
    ),
    (
        "yijinhuoluo",
        "伊金霍洛供电分公司",
        [("altanxiret", "阿勒腾席热供电所"), ("zasake", "札萨克供电所"), ("wulanmulun", "乌兰木伦供电所")],
        [
            ("yijinhuoluo_town", "阿镇营业区", ["伊金霍洛旗", "伊旗", "阿勒腾席热镇"]),
            ("yijinhuoluo_mining", "矿区营业区", ["札萨克镇", "乌兰木伦镇", "纳林陶亥镇"]),
        ],
    ),
    (
        "dalate",
        "达拉特供电分公司",
        [("shulinzhao", "树林召供电所"), ("wangaizhao", "王爱召供电所")],
        [("dalate", "达拉特营业区", ["达拉特旗", "达旗", "树林召镇", "王爱召镇", "白泥井镇"])],
    ),
]

# Company-scope users: username, full name, roles, department code.
COMPANY_USERS = [
    ("ordos_dispatcher", "赵晓雯", ["dispatcher"], "customer_service_center"),
    ("ordos_service_manager", "钱志刚", ["department_manager"], "customer_service_center"),
    ("ordos_marketing_manager", "孙丽娟", ["department_manager"], "marketing_service"),
    ("ordos_production_manager", "李建国", ["department_manager"], "production_technology"),
    ("ordos_admin", "周海涛", ["administrator"], None),
    ("ordos_auditor", "吴敏", ["auditor"], None),
    # Not a person: the marketing business system relays its events through it (token or `events import`).
    ("integration", "营销业务系统接口", ["integration"], None),
]
# Accounts of other systems sign in with an API token only: no password, so no login to the pages.
TOKEN_ONLY_ROLES = {"integration"}

# Branch-scope users, per branch: username suffix, role, department code.
BRANCH_ROLES = [
    ("clerk", "acceptance_clerk", "marketing_service"),
    ("customer_manager", "customer_manager", "marketing_service"),
    ("project_manager", "project_manager", "production_technology"),
    ("manager", "branch_manager", None),
]
BRANCH_PEOPLE = {
    "dongsheng": ["王丽", "刘强", "陈磊", "杨志军"],
    "kangbashi": ["黄蕾", "张伟", "高鹏", "马建华"],
    "yijinhuoluo": ["乌云其其格", "巴特尔", "郭涛", "胡占军"],
    "dalate": ["林静", "苏日娜", "何勇", "郝志明"],
}


@dataclass
class DemoOrg:
    company: Company
    branches: dict[str, Branch] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def summary(self) -> dict[str, int | str]:
        return {
            "company": f"{self.company.name} ({self.company.code})",
            "branches": len(self.branches),
            "stations": Station.objects.filter(branch__company=self.company).count(),
            "service areas": ServiceArea.objects.filter(branch__company=self.company).count(),
            "departments": len(self.departments),
            "users": len(self.users),
            "password": DEMO_PASSWORD,
        }

    def logins(self) -> list[tuple[str, str, str, str]]:
        """(username, full name, roles, scope) for every demo user."""
        return [
            (
                user.username,
                user.full_name,
                "、".join(sorted(role.name for role in user.roles.all())),
                user.branch.name if user.branch else f"{self.company.name}（公司范围）",
            )
            for user in self.users.values()
        ]


def _upsert(model, lookup: dict, values: dict):
    obj, _ = model.objects.update_or_create(**lookup, defaults=values)
    return obj


def _user(org: DemoOrg, password_hash: str, username, full_name, roles, branch, department) -> User:
    user = _upsert(
        User,
        {"username": username},
        {
            "full_name": full_name,
            "password": password_hash,
            "is_active": True,
            # Only administrators enter the admin site; auditors read the sign-in records on their own page
            # (登录记录, web/views/audit.py): least privilege.
            "is_staff": "administrator" in roles,
            # The demo administrator also gets Django's superuser flag so that the admin site works
            # without per-model permissions; in production grant model permissions instead.
            "is_superuser": "administrator" in roles,
            "phone": f"0477-{8300000 + len(org.users) + 1}",
        },
    )
    user_place(user, company=org.company, branch=branch, department=department)
    user_set_roles(user, roles)
    org.users[username] = user
    return user


@transaction.atomic
def create_demo_org() -> DemoOrg:
    """Create or refresh the demo company and its people; returns what it made."""
    org = DemoOrg(company=_upsert(Company, {"code": COMPANY[0]}, {"name": COMPANY[1]}))
    for code, name in DEPARTMENTS.items():
        org.departments[code] = _upsert(Department, {"company": org.company, "code": code}, {"name": name})
    for code, name, stations, areas in BRANCHES:
        branch = _upsert(Branch, {"company": org.company, "code": code}, {"name": name})
        org.branches[code] = branch
        for station_code, station_name in stations:
            _upsert(Station, {"branch": branch, "code": station_code}, {"name": station_name})
        for area_code, area_name, keywords in areas:
            _upsert(ServiceArea, {"branch": branch, "code": area_code}, {"name": area_name, "keywords": keywords})

    password_hash = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
    for username, full_name, roles, department in COMPANY_USERS:
        password = make_password(None) if TOKEN_ONLY_ROLES & set(roles) else password_hash
        _user(org, password, username, full_name, roles, None, org.departments.get(department))
    for code, _name, _stations, _areas in BRANCHES:
        for (suffix, role, department), full_name in zip(BRANCH_ROLES, BRANCH_PEOPLE[code], strict=True):
            _user(
                org,
                password_hash,
                f"{code}_{suffix}",
                full_name,
                [role],
                org.branches[code],
                org.departments.get(department),
            )
    return org
