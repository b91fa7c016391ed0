"""Msgids for strings the pages show but other apps own (so `makemessages` run in yekuo/web finds them).

The categories, channels, nodes and roles are plain Chinese in code modules (`labels.label` translates
them at display time); statuses and sources are lazy translations in `orders.models`. Listing them here
keeps the English catalogue complete without touching those modules.
"""

from django.utils.translation import gettext_noop

from yekuo.accounts.codes import ROLES
from yekuo.regulations.codes import CATEGORIES, CHANNELS, NODES

MSGIDS = (
    # regulations.codes.CATEGORIES
    gettext_noop("低压居民"),
    gettext_noop("低压非居民"),
    gettext_noop("10千伏单电源"),
    gettext_noop("10千伏双电源"),
    # regulations.codes.CHANNELS
    gettext_noop("营业厅"),
    gettext_noop("全区一体化政务服务平台"),
    gettext_noop("蒙速办"),
    gettext_noop("工程建设项目审批平台"),
    gettext_noop("网上国网/掌上电力等自有线上渠道"),
    gettext_noop("帮您办"),
    # intake.platforms.KNOWN and the customers' online platform (their stored names, shown by Platform.__str__)
    gettext_noop("投资在线监审平台"),
    gettext_noop("网上自助办电"),
    # regulations.codes.NODES (pages prefer the regulation's own name_en)
    gettext_noop("业务受理"),
    gettext_noop("现场勘察、编制供电方案"),
    gettext_noop("办理行政审批（备案）手续"),
    gettext_noop("电网配套工程实施"),
    gettext_noop("签订合同、正式接电"),
    gettext_noop("图纸审查"),
    gettext_noop("中间检查"),
    gettext_noop("签订合同、竣工检验"),
    # accounts.codes.ROLES
    gettext_noop("业务受理人员"),
    gettext_noop("客户经理"),
    gettext_noop("项目经理"),
    gettext_noop("调度员"),
    gettext_noop("分公司经理"),
    gettext_noop("部门经理"),
    gettext_noop("系统管理员"),
    gettext_noop("审计员"),
    gettext_noop("系统接口账号"),
    # orders.models.OrderStatus and EventSource
    gettext_noop("待受理"),
    gettext_noop("在途"),
    gettext_noop("暂停（客户原因）"),
    gettext_noop("已接电"),
    gettext_noop("已撤销"),
    gettext_noop("网页"),
    gettext_noop("接口"),
    gettext_noop("导入"),
    gettext_noop("平台推送"),
    gettext_noop("系统"),
    # config.settings.LANGUAGES
    gettext_noop("简体中文"),
)

# Fails loudly when a vocabulary grows and this list does not.
assert set(CATEGORIES.values()) | set(CHANNELS.values()) | set(NODES.values()) | set(ROLES.values()) <= set(MSGIDS)
