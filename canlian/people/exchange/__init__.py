"""The registry's spreadsheets: its exchange format, imports and exports of persons, their jobs,
tasks, pages and URLs, built on the machinery of canlian.spreadsheets."""
