from django.urls import include, path

from recouvre.backoffice.views import account, debtors

app_name = "backoffice"

urlpatterns = [
    path("", account.home, name="home"),
    path("login/", account.login, name="login"),
    path("logout/", account.logout, name="logout"),
    path("password/reset/", account.password_reset, name="password-reset"),
    path("password/reset/sent/", account.password_reset_sent, name="password-reset-sent"),
    path("password/reset/done/", account.password_reset_complete, name="password-reset-complete"),
    # Invitation emails link here (tenancy.domain.services): keep the name and its two arguments.
    path(
        "password/reset/<uidb64>/<token>/",
        account.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path("organisation/", account.organisation_switch, name="organisation-switch"),
    path("debtors/", debtors.debtor_list, name="debtor-list"),
    path("debtors/<int:pk>/", debtors.debtor_detail, name="debtor-detail"),
    path("i18n/", include("django.conf.urls.i18n")),
]
