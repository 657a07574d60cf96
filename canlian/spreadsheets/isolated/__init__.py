"""The workbook reader that runs in a child process with memory and time limits.

`python -m canlian.spreadsheets.isolated` reads one .xlsx, .xls or .ods file with
python-calamine and sends its rows back to `canlian.spreadsheets.reading` (the parent) through
its standard output. Nothing here imports Django: the child starts in a few tens of
milliseconds and holds nothing of the parent (no settings, keys or database connections).
"""
