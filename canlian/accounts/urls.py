"""Account management URLs."""

from django.urls import path

from canlian.accounts import approval_views, views

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
]
