from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from departments.views import ThrottledLoginView
from evaluation.views.home import home

admin.site.site_header = _("Department work-style evaluation")
admin.site.site_title = _("Department work-style evaluation")

handler400 = "config.errors.bad_request"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/", include("departments.urls")),
    path("", include("evaluation.urls")),
    path("admin/", admin.site.urls),
]
