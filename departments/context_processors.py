from django.conf import settings
from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """What the navigation bar offers; each item is guarded again by its view."""
    user = getattr(request, "user", None)
    perms = user.get_all_permissions() if user and user.is_authenticated else set()
    return {
        "site_title": settings.SITE_TITLE,
        # The account menu's label. A page rendered once for many readers (the published ranking,
        # evaluation.views.results) leaves a hole here and fills in each reader's name.
        "account_name": str(user) if user and user.is_authenticated else "",
        # A form larger than this is refused by the server; static/js/size_guard.js stops it in the page first.
        "upload_max_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        "nav": {
            "manage": "evaluation.manage_quarters" in perms,
            "results": "evaluation.view_published_results" in perms,
            "provisional": "evaluation.view_provisional_results" in perms,
            "import_org": "departments.import_org" in perms,
            # Answering is for a department's representatives: an account without a unit has nothing to answer.
            "answer": "evaluation.answer_problem" in perms and getattr(user, "unit_id", None) is not None,
            "admin_site": bool(user and user.is_authenticated and user.is_staff),
        },
    }
