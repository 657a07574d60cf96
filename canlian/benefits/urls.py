"""Subsidy applications and enrolments (/subsidies/)."""

app_name = "subsidies"

urlpatterns: list[object] = []
