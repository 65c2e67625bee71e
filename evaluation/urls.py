from django.urls import path  # noqa: F401

app_name = "evaluation"

urlpatterns: list = []

# Each area appends its own patterns below, in its own section.

# --- quarters, lifecycle, codes, participation, voids, audit log (evaluation.views.console) ---

# --- ballots (evaluation.views.ballots) ---

# --- adjustments (evaluation.views.adjustments) ---

# --- rankings, department detail, annual ranking, method (evaluation.views.results) ---

# --- problems (evaluation.views.problems) ---

# --- workbooks and data entry (evaluation.views.excel) ---
