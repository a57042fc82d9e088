"""The openpyxl side of the register: sheet layout, print setup, tables, validation lists, charts.

Sheets are write-only (streamed to disk), so their layout (frozen header, widths, print setup)
is set before the first row; tables, validations and charts are added at the sheet's end, once
the row count is known. Nothing here queries or words anything: callers pass rows and text.
"""

from __future__ import annotations

import warnings

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from exports.cells import CellMaker, Styles
from exports.columns import Column

EDIT_ROOM = 1000  # validation lists reach this many rows past the data, for rows added by hand


def new_workbook() -> tuple[Workbook, Styles]:
    wb = Workbook(write_only=True)
    return wb, Styles(wb)


def print_setup(ws, header: str, footer: str, *, title_rows: int = 1) -> None:
    """Landscape A4, one page wide (as many pages down as needed), header rows repeated,
    `header` centred on top of every page and `footer` (page numbers) below."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = f"1:{title_rows}"
    ws.HeaderFooter.oddHeader.center.text = header.replace("&", "&&")
    ws.HeaderFooter.oddHeader.center.size = 9
    ws.HeaderFooter.oddFooter.center.text = footer
    ws.HeaderFooter.oddFooter.center.size = 9


def widths(ws, columns: tuple[Column, ...]) -> None:
    for index, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = column.width


def layout(ws, cells: CellMaker, columns: tuple[Column, ...], headers: list[str]) -> None:
    """Widths, a frozen styled header row: write-only sheets need these before the first row."""
    ws.freeze_panes = "A2"
    widths(ws, columns)
    ws.append([cells.header(name) for name in headers])


def table(ws, name: str, headers: list[str], rows: int, *, top: int = 1) -> None:
    """An Excel table with filter buttons over the header (at row `top`) and `rows` data rows.

    A table needs at least one data row, so an empty sheet's table spans one empty row.
    """
    ref = f"A{top}:{get_column_letter(len(headers))}{top + max(rows, 1)}"
    tbl = Table(displayName=name, ref=ref, autoFilter=AutoFilter(ref=ref))
    tbl.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(headers, 1)]
    tbl.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    with warnings.catch_warnings():
        # openpyxl warns that write-only tables need their columns set by hand: they are, above.
        warnings.simplefilter("ignore", UserWarning)
        ws.add_table(tbl)


def validations(ws, columns: tuple[Column, ...], rows: int, error: str, shown: dict[str, str]) -> None:
    """A drop-down list on each column that carries choices (with room to add rows by hand).

    The list holds the words `shown` for the choices (the sheet's language); `error` is the
    message for a value not in the list, with `{choices}` filled in.
    """
    for index, column in enumerate(columns, 1):
        if not column.choices:
            continue
        letter = get_column_letter(index)
        choices = [shown.get(c, c) for c in column.choices]
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(choices) + '"',
            allow_blank=True,
            showErrorMessage=True,
            error=error.format(choices=", ".join(choices)),
        )
        validation.add(f"{letter}2:{letter}{max(rows, 1) + EDIT_ROOM}")
        ws.data_validations.append(validation)


def bar_chart(ws, title: str, axis: str, header_row: int, rows: int, largest: int) -> BarChart:
    """Horizontal bars of column B against the names in column A, rows below `header_row`.

    `largest` is the biggest value: small counts get whole-number steps, not 0.1 ones.
    """
    chart = BarChart()
    chart.type = "bar"  # horizontal: stage and group names stay readable
    chart.title = title
    chart.legend = None
    chart.y_axis.title = axis
    chart.y_axis.majorGridlines = None
    chart.y_axis.scaling.min = 0
    if largest <= 10:
        chart.y_axis.majorUnit = 1
    chart.height = 7.5
    chart.width = 15
    chart.add_data(Reference(ws, min_col=2, min_row=header_row, max_row=header_row + rows), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=header_row + rows))
    chart.x_axis.scaling.orientation = "maxMin"  # first name on top, as in the table
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    return chart


def line_chart(ws, title: str, header_row: int, rows: int, series: int, axis: str) -> LineChart:
    """One line per column B… (`series` of them) over the categories in column A, values 0–100 %."""
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = axis
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.majorUnit = 0.25
    chart.y_axis.number_format = "0%"
    chart.height = 7.5
    chart.width = 22
    data = Reference(ws, min_col=2, max_col=1 + series, min_row=header_row, max_row=header_row + rows)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=header_row + rows))
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    return chart
