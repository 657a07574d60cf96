"""Official calendar URLs."""

from django.urls import path

from canlian.holidays import views

app_name = "holidays"
urlpatterns = [
    path("", views.calendar_list, name="list"),
    path("enter/", views.schedule_enter, name="enter"),
    path("<int:year>/", views.year_detail, name="year"),
]
