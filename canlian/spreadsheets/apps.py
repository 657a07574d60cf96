from django.apps import AppConfig


class SpreadsheetsConfig(AppConfig):
    name = "canlian.spreadsheets"
    verbose_name = "Spreadsheets"
