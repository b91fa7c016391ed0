"""Simulator of the e-licence sharing service (电子证照共享服务, R2): GET /licences/<unified social credit code>.

Any well-formed code is found, with made-up but stable data (the same code always gives the same company),
except a code whose 15th to 17th characters are 000 (just before its check character), which is not
registered (404). Options: mode (ok | error | slow | garbage),
delay (seconds before answering), fail_rate (share of requests answered 500)."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

from yekuo.partners.simulators import base

CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
PLACES = ["东胜区", "康巴什区", "达拉特旗", "准格尔旗", "伊金霍洛旗", "鄂托克旗", "杭锦旗", "乌审旗"]
WORDS = ["恒泰", "伊泰", "蒙西", "鑫源", "草原", "金沙", "瑞丰", "天骄", "广源", "德胜"]
TRADES = ["能源科技", "建材", "商贸", "物流", "农牧业", "新材料", "餐饮管理", "房地产开发"]
SURNAMES = "王李张刘陈杨赵黄周吴乌白包"
GIVEN = ["建国", "海军", "丽娜", "巴特尔", "其其格", "志强", "晓燕", "永胜", "宝音", "敏"]


def licence(code: str) -> dict:
    h = hashlib.sha256(code.encode()).digest()
    place = PLACES[h[0] % len(PLACES)]
    start = date(2005, 1, 1) + timedelta(days=int.from_bytes(h[1:3], "big") % 6500)
    long_term = h[3] % 3 == 0
    return {
        "credit_code": code,
        "company_name": f"鄂尔多斯市{WORDS[h[4] % len(WORDS)]}{TRADES[h[5] % len(TRADES)]}有限公司",
        "legal_representative": SURNAMES[h[6] % len(SURNAMES)] + GIVEN[h[7] % len(GIVEN)],
        "address": f"内蒙古自治区鄂尔多斯市{place}{WORDS[h[8] % len(WORDS)]}路{h[9] % 200 + 1}号",
        "valid_from": start.isoformat(),
        "valid_until": None if long_term else (start + timedelta(days=365 * 30)).isoformat(),
        "registration_authority": f"鄂尔多斯市{place}市场监督管理局",
    }


class Handler(base.SimulatorHandler):
    name = "elicence"

    def get(self, path: str):
        match = re.fullmatch(r"/licences/([^/?]+)", path.split("?")[0])
        if not match or not CODE.match(match.group(1)) or match.group(1)[14:17] == "000":
            return 404, {"error": "licence not found"}
        return 200, licence(match.group(1))


def make_server(host: str, port: int, **options):
    return base.make_server(Handler, host, port, **options)


def serve(host: str, port: int, **options) -> None:
    base.serve_forever(make_server(host, port, **options), "elicence")


def add_arguments(parser) -> None:
    base.add_service_arguments(parser, "YEKUO_ELICENCE_URL")


def command(options: dict) -> None:
    base.run_command(serve, "YEKUO_ELICENCE_URL", options)
