from django.urls import path, re_path, register_converter

from evaluation.converters import AnnualKeyConverter, QuarterCodeConverter, UnitCodeConverter
from evaluation.views import adjustments as adjustment_views
from evaluation.views import assignments as assignment_views
from evaluation.views import ballots as ballot_views
from evaluation.views import console
from evaluation.views import excel as excel_views
from evaluation.views import objections as objection_views
from evaluation.views import problems as problem_views
from evaluation.views import results as results_views
from evaluation.views.health import health, health_ready

app_name = "evaluation"

# A quarter in URLs: YYYYQn; a unit: its code. Anything else is a 404 before the view runs.
register_converter(QuarterCodeConverter, "quarter")
register_converter(UnitCodeConverter, "unit")
register_converter(AnnualKeyConverter, "annual")
_QUARTER = rf"(?P<code>{QuarterCodeConverter.regex})"
_UNIT = UnitCodeConverter.regex

urlpatterns: list = []


# --- quarters, lifecycle, codes, participation, voids, audit log (evaluation.views.console) ---

urlpatterns += [
    path("console/", console.quarter_list_view, name="quarter_list"),
    path("console/new/", console.quarter_create_view, name="quarter_create"),
    path("console/<quarter:code>/", console.console_view, name="console"),
    path("console/<quarter:code>/status/", console.transition_view, name="transition"),
    path("console/<quarter:code>/rename/", console.quarter_rename_view, name="quarter_rename"),
    path("console/<quarter:code>/delete/", console.quarter_delete_view, name="quarter_delete"),
    path("console/<quarter:code>/codes/", console.codes_issue_view, name="codes_issue"),
    path("console/<quarter:code>/codes/<unit:unit_code>/print/", console.codes_print_view, name="codes_print"),
    path("console/<quarter:code>/codes/<unit:unit_code>/xlsx/", console.codes_xlsx_view, name="codes_xlsx"),
    path("console/<quarter:code>/participation.json", console.participation_json_view, name="participation_json"),
    path("console/<quarter:code>/remind/", console.remind_view, name="remind"),
    path("console/<quarter:code>/ballots/", console.ballots_view, name="ballots"),
    path("console/<quarter:code>/ballots/<uuid:ballot_id>/", console.ballot_view, name="ballot"),
    path("console/<quarter:code>/ballots/<uuid:ballot_id>/void/", console.void_view, name="void"),
    path("console/<quarter:code>/ballots/<uuid:ballot_id>/unvoid/", console.unvoid_view, name="unvoid"),
    path("console/<quarter:code>/audit/", console.audit_view, name="audit"),
    path("audit/", console.audit_log_view, name="audit_log"),
]

# --- ballots (evaluation.views.ballots) ---

urlpatterns += [
    path("ballot/", ballot_views.ballot_code, name="ballot_code"),
    path("ballot/peer/", ballot_views.ballot_peer, name="ballot_peer"),
    path("ballot/leadership/", ballot_views.ballot_leadership, name="ballot_leadership"),
    path("ballot/grassroots/", ballot_views.ballot_grassroots, name="ballot_grassroots"),
    path("ballot/thanks/", ballot_views.ballot_done, name="ballot_done"),
]

# --- adjustments (evaluation.views.adjustments) ---

urlpatterns += [
    path("console/<quarter:code>/adjustments/", adjustment_views.adjustment_list, name="adjustments"),
    path("console/<quarter:code>/adjustments/add/", adjustment_views.adjustment_add_view, name="adjustment_add"),
    path("console/<quarter:code>/adjustments/<int:pk>/", adjustment_views.adjustment_edit_view, name="adjustment_edit"),
    path(
        "console/<quarter:code>/adjustments/<int:pk>/delete/",
        adjustment_views.adjustment_delete_view,
        name="adjustment_delete",
    ),
]

# --- rater relations of an `assigned` programme's quarter (evaluation.views.assignments) ---

urlpatterns += [
    path("console/<quarter:code>/assignments/", assignment_views.assignments_view, name="assignments"),
    path(
        "console/<quarter:code>/assignments.xlsx",
        assignment_views.assignments_download_view,
        name="assignments_download",
    ),
    path(
        "console/<quarter:code>/assignments/upload/",
        assignment_views.assignments_upload_view,
        name="assignments_upload",
    ),
    path("console/<quarter:code>/assignments/add/", assignment_views.assignment_add_view, name="assignment_add"),
    path(
        "console/<quarter:code>/assignments/<int:pk>/remove/",
        assignment_views.assignment_remove_view,
        name="assignment_remove",
    ),
]

# --- objections to announced results (evaluation.views.objections) ---

urlpatterns += [
    path("objections/<quarter:code>/", objection_views.objections_mine, name="objections_mine"),
    path("console/<quarter:code>/objections/", objection_views.objection_list, name="objections"),
    path(
        "console/<quarter:code>/objections/<int:pk>/answer/",
        objection_views.objection_answer_view,
        name="objection_answer",
    ),
]

# --- rankings, department detail, annual ranking, method (evaluation.views.results) ---


urlpatterns += [
    path("results/", results_views.rankings, name="rankings"),
    path("results/annual/<annual:year>/", results_views.annual, name="annual"),
    re_path(rf"^results/{_QUARTER}/$", results_views.ranking, name="ranking"),
    re_path(rf"^results/{_QUARTER}/method/$", results_views.method, name="method"),
    re_path(
        rf"^results/{_QUARTER}/departments/(?P<department_code>{_UNIT})/$",
        results_views.department,
        name="department",
    ),
]

# --- problems (evaluation.views.problems) ---

urlpatterns += [
    path("problems/", problem_views.board, name="problems"),
    path("problems/new/", problem_views.problem_create, name="problem_create"),
    path("problems/mine/", problem_views.my_problems, name="my_problems"),
    path("problems/unit/", problem_views.unit_problems, name="unit_problems"),
    path("problems/comments/", problem_views.comments, name="comments"),
    path("problems/comments/<uuid:comment_id>/", problem_views.problem_from_comment, name="problem_from_comment"),
    path("problems/<int:pk>/", problem_views.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/answer/", problem_views.problem_answer, name="problem_answer"),
    path("problems/<int:pk>/close/", problem_views.problem_close, name="problem_close"),
    path("problems/<int:pk>/reopen/", problem_views.problem_reopen, name="problem_reopen"),
    path("problems/<int:pk>/follow-up/", problem_views.problem_follow_up, name="problem_follow_up"),
]

# --- workbooks and data entry (evaluation.views.excel) ---

urlpatterns += [
    re_path(rf"^workbooks/{_QUARTER}/results\.xlsx$", excel_views.export_quarter_view, name="export_quarter"),
    path("workbooks/annual/<annual:year>/results.xlsx", excel_views.export_annual_view, name="export_annual"),
    path("workbooks/quarter-template.xlsx", excel_views.quarter_template_view, name="quarter_template"),
    path("workbooks/import/", excel_views.import_quarter_view, name="import_quarter"),
    path("entry/", excel_views.entry_view, name="entry"),
]

# --- health check, the benchmarks' trivial baseline (evaluation.views.health) ---

urlpatterns += [
    path("health/", health, name="health"),
    path("health/live/", health, name="health_live"),
    path("health/ready/", health_ready, name="health_ready"),
]
