"""Account management URLs."""

from django.urls import path

from canlian.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("<int:user_id>/edit/", views.account_edit, name="edit"),
    path("me/", views.profile, name="profile"),
]
