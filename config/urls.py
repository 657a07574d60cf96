"""URL configuration."""

from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from canlian.accounts import activation_views, signin
from canlian.web import preferences
from canlian.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("login/", signin.SignInView.as_view(), name="login"),
    path("login/verify/", signin.verify, name="login_verify"),
    # Public (under /login/): the holder of a new account has no password yet.
    path("login/activate/", activation_views.activate, name="activate"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("ui/", preferences.update, name="ui_preferences"),
    path("people/", include("canlian.people.urls")),
    path("certificates/", include("canlian.certificates.urls")),
    path("audit/", include("canlian.audit.urls")),
    path("accounts/", include("canlian.accounts.urls")),
    path("places/", include("canlian.places.urls")),
    path("holidays/", include("canlian.holidays.urls")),
    # The official calendar's pages were under /calendar/ until the app's URLs took its name.
    re_path(
        r"^calendar/(?P<rest>.*)$",
        RedirectView.as_view(url="/holidays/%(rest)s", permanent=True, query_string=True),
        name="calendar_moved",
    ),
    path("levy/", include("canlian.levy.urls")),
    path("subsidies/", include("canlian.benefits.urls")),
    path("payroll/", include("canlian.payroll.urls")),
    path("stats/", include("canlian.stats.urls")),
    path("portal/", include("canlian.portal.urls")),
]
