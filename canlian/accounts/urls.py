"""Account management URLs."""

from django.urls import path

from canlian.accounts import approval_views, lockout_views, self_service, views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("<int:user_id>/edit/", views.account_edit, name="edit"),
    path("<int:user_id>/reset-password/", approval_views.reset_password, name="reset_password"),
    path("requests/", approval_views.request_list, name="requests"),
    path("requests/<int:request_id>/", approval_views.request_detail, name="request"),
    path(
        "requests/<int:request_id>/approve/", approval_views.request_approve, name="request_approve"
    ),
    path("requests/<int:request_id>/reject/", approval_views.request_reject, name="request_reject"),
    path("code/", approval_views.activation_code, name="activation_code"),
    path("me/", views.profile, name="profile"),
    path("me/password/", self_service.change_password, name="password"),
    path("me/second-factor/", self_service.second_factor, name="second_factor"),
    path("me/recovery-codes/", self_service.recovery_codes, name="recovery_codes"),
    path("lockouts/", lockout_views.lockout_list, name="lockouts"),
    path("lockouts/<int:pair_id>/unlock/", lockout_views.unlock, name="unlock"),
]
