"""The words for the engine's reason codes, in the user's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jiuzhu.discovery.engine.sources import SOURCES


def refusal_message(code: str, params: dict[str, Any]) -> str:
    """Why a whole file was refused."""
    messages = {
        "empty": _("The file is empty."),
        "too_large": _(
            "The file is %(size_mb)s MB; at most %(max_mb)s MB can be imported at once."
        ),
        "encoding": _("The file is not in UTF-8 or GBK text; save it as CSV (UTF-8) or XLSX."),
        "xlsx_named_csv": _("This is an Excel workbook with a .csv name; rename it to .xlsx."),
        "not_xlsx": _("The file has an .xlsx name but is not an Excel workbook."),
        "unknown_type": _("Only CSV and XLSX files can be imported, not %(suffix)s."),
        "too_wide": _("A row has %(cells)s cells; at most %(max)s are allowed."),
        "cell_too_long": _("A cell is longer than %(max)s characters."),
        "header_only": _("The file has a header row but no data rows."),
        "missing_columns": _("Required columns are missing: %(columns)s."),
        "rows_rejected": _("%(rejected)s rows have errors; nothing was imported."),
        "interrupted": _("The import was interrupted; nothing was imported."),
    }
    text = messages.get(code, code)
    values = dict(params)
    if "columns" in values:
        values["columns"] = ", ".join(str(c) for c in values["columns"])
    try:
        return text % values if values else text.replace("%%", "%")
    except (KeyError, TypeError, ValueError):
        return text


def row_message(code: str, params: dict[str, Any]) -> str:
    """Why one row (or cell) was rejected."""
    messages = {
        "required": _("Required; the cell is empty."),
        "id_length": _("An identity number has 18 characters; this one has %(n)s."),
        "id_format": _("An identity number is 17 digits followed by a digit or X."),
        "id_birth_date": _("The birth date %(date)s in the identity number is not a real date."),
        "id_check": _("The check character is wrong: it should be %(expected)s, not %(given)s."),
        "date_format": _("Not a date; write it as YYYY-MM-DD."),
        "date_impossible": _("No such date."),
        "date_future": _("The date is in the future."),
        "amount_format": _("Not an amount in yuan (at most two decimals)."),
        "amount_negative": _("An amount cannot be negative."),
        "grade": _("A disability grade is 1 to 4."),
        "level": _("A housing safety level is A, B, C or D."),
        "duplicate": _("The same record as row %(first)s."),
    }
    text = messages.get(code, code)
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return text


def column_label(source: str, name: str) -> str:
    if not name:
        return ""
    try:
        column = SOURCES[source].column(name)
    except KeyError:
        return name
    return f"{column.label} ({column.name})"
