"""`yekuo demo`'s step for the customer pages: the `online` platform (its route: the dispatch queue)."""


def create_online_platform() -> dict:
    from yekuo.accounts.models import Company
    from yekuo.customers.services import online_platform

    if not Company.objects.exists():
        return {"online platform": 0}
    platform = online_platform()
    return {"online platform": platform.code, "route": platform.route}
