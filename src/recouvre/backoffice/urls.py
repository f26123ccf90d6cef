from django.contrib.auth import views as auth_views
from django.urls import path

app_name = "backoffice"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("debtors/", auth_views.LoginView.as_view(), name="debtor-list"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
]
