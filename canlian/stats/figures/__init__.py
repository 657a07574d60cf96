"""The figures of each area, registered in the catalogue when the app is ready, in the order
the catalogue lists them."""

import importlib

AREAS = ("persons", "subsidies", "coverage", "certificates", "levy", "quality")

for _area in AREAS:
    importlib.import_module(f"{__name__}.{_area}")
