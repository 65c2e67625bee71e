from django.urls import path  # noqa: F401

app_name = "evaluation"

urlpatterns: list = [
    # quarters, lifecycle, codes, participation, voids (evaluation.views.console)
    # ballots (evaluation.views.ballots)
    # rankings, department detail, annual ranking (evaluation.views.results)
    # problems (evaluation.views.problems)
    # workbooks and data entry (evaluation.views.excel)
]
