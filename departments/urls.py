from django.urls import path

from departments import views

app_name = "departments"

urlpatterns = [
    path("import/", views.import_org, name="import"),
    path("template.xlsx", views.org_template, name="template"),
]
