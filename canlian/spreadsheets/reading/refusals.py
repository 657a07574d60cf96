"""Why a file is refused: `FileRefused` and its translated messages, each saying what to do."""

from __future__ import annotations

from django.utils.translation import gettext as _

from canlian.spreadsheets.reading.table import MAX_MEMBERS, MB, Limits

XLSX, XLS, ODS, CSV = "xlsx", "xls", "ods", "csv"
EXTENSION_OF_KIND = {XLSX: ".xlsx", XLS: ".xls", ODS: ".ods", CSV: ".csv"}
# Contents a spreadsheet program can open and save as .xlsx, but that are not read here.
_CONVERTIBLE = {"xlsb", "html", "xml"}


class FileRefused(Exception):
    """The file cannot be read at all; `message` is the translated reason shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def megabytes(size: int) -> str:
    return f"{round(size / MB, 2):g}"


def not_a_spreadsheet_name(filename: str) -> FileRefused:
    return FileRefused(
        _("“%(name)s” is not a spreadsheet file. Upload an .xlsx, .xls, .ods, .csv or .txt file.")
        % {"name": filename}
    )


def empty_file() -> FileRefused:
    return FileRefused(_("The file is empty. Check that you chose the right file."))


def too_large(limits: Limits) -> FileRefused:
    return FileRefused(
        _("The file is larger than %(limit)s MB. Split it into smaller files.")
        % {"limit": megabytes(limits.max_bytes)}
    )


def _describe(kind: str) -> str:
    descriptions = {
        XLSX: _("an Excel workbook (.xlsx)"),
        XLS: _("an Excel 97-2003 workbook (.xls)"),
        ODS: _("an OpenDocument spreadsheet (.ods)"),
        CSV: _("a text (CSV) file"),
        "xlsb": _("an Excel binary workbook (.xlsb)"),
        "html": _("a web page (HTML)"),
        "xml": _("an XML file"),
        "word": _("a Word document"),
        "powerpoint": _("a PowerPoint presentation"),
        "pdf": _("a PDF document"),
        "image": _("an image"),
        "program": _("a program"),
        "archive": _("a compressed archive (ZIP, RAR or 7z)"),
    }
    return descriptions.get(kind, _("a file of an unknown type"))


def require_kind(expected: str, actual: str, extension: str) -> None:
    """Refuse a file whose content is not what its extension says."""
    if actual == expected:
        return
    if expected == CSV and actual == "binary":
        raise FileRefused(
            _(
                "The file is not a text file: it contains binary data. Save the spreadsheet "
                "as “CSV UTF-8”, or upload the .xlsx file itself."
            )
        )
    values = {"extension": extension, "actual": _describe(actual)}
    if actual in EXTENSION_OF_KIND:
        values["expected"] = EXTENSION_OF_KIND[actual]
        message = _(
            "The file name ends in “%(extension)s” but the file is really %(actual)s. "
            "Rename it to end in “%(expected)s” and upload again."
        )
    elif actual in _CONVERTIBLE:
        message = _(
            "The file name ends in “%(extension)s” but the file is really %(actual)s. "
            "Open it in Excel or WPS, save it as an Excel workbook (.xlsx) and upload again."
        )
    else:
        message = _(
            "The file is really %(actual)s, not a spreadsheet. "
            "Upload the spreadsheet itself (.xlsx, .xls, .ods or .csv)."
        )
    raise FileRefused(message % values)


def damaged() -> FileRefused:
    return FileRefused(
        _(
            "The file is damaged or cannot be read. Open it in Excel or WPS, save it again "
            "as .xlsx and upload the new file."
        )
    )


def password_protected() -> FileRefused:
    return FileRefused(
        _(
            "The workbook is protected by a password. Open it, remove the password, "
            "save it and upload it again."
        )
    )


def too_many_members() -> FileRefused:
    return FileRefused(
        _(
            "The file is made of more than %(limit)s parts, far more than a spreadsheet "
            "needs, so it was refused for safety. Open it in Excel, save it again and upload "
            "the new file."
        )
        % {"limit": f"{MAX_MEMBERS:,}"}
    )


def zip_bomb() -> FileRefused:
    return FileRefused(
        _(
            "Part of the file is packed unusually tightly, as in a “zip bomb”, so it "
            "was refused for safety. Open it in Excel, save it again and upload the "
            "new file."
        )
    )


def too_large_unpacked(limits: Limits) -> FileRefused:
    return FileRefused(
        _(
            "Once unpacked, the file would take more than %(limit)s MB. "
            "Split it into smaller files and upload them one by one."
        )
        % {"limit": megabytes(limits.max_uncompressed)}
    )


def too_many_cells(limits: Limits) -> FileRefused:
    return FileRefused(
        _(
            "The data in the file spans more than %(limit)s cells. Split it into smaller "
            "files, or delete stray values far from the table, and upload again."
        )
        % {"limit": f"{limits.max_cells:,}"}
    )


def external_links() -> FileRefused:
    return FileRefused(
        _(
            "The file contains links to other workbooks. Break the links in Excel "
            "(Data › Edit Links › Break Link), save, and upload again."
        )
    )


def formulas(sheet: str | None, cell: str | None) -> FileRefused:
    if sheet and cell:
        message = _(
            "The file contains formulas (sheet “%(sheet)s”, cell %(cell)s). Replace formulas "
            "with their values (copy, then paste as values) and upload again."
        )
    elif sheet:
        message = _(
            "The file contains formulas (sheet “%(sheet)s”). Replace formulas "
            "with their values (copy, then paste as values) and upload again."
        )
    else:
        message = _(
            "The file contains formulas. Replace formulas "
            "with their values (copy, then paste as values) and upload again."
        )
    return FileRefused(message % {"sheet": sheet, "cell": cell})


def no_visible_sheet() -> FileRefused:
    return FileRefused(
        _(
            "The workbook has no visible worksheet. Unhide the sheet with the data, save, "
            "and upload again."
        )
    )


def empty(sheet_name: str | None) -> FileRefused:
    if sheet_name is None:
        return FileRefused(_("The file has no data. Check that you chose the right file."))
    return FileRefused(
        _(
            "The sheet “%(sheet)s” is empty. Put the data on the first visible sheet and "
            "upload again."
        )
        % {"sheet": sheet_name}
    )
