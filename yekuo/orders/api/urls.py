"""REST API under /api/v1/ (issue 3 §3). Filled in by the API work."""

urlpatterns: list = []
