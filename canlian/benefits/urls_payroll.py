"""Monthly payment rolls, bank files and recoveries (/payroll/)."""

app_name = "payroll"

urlpatterns: list[object] = []
