"""Department data sources (部门数据源): the declared schema of each department's file.

A schema names each column in English and Chinese (a file may use either header), its type and
whether it is required, and whether the stored record keeps it (``keep``): department rows keep
only the columns the warning rules use (minimum necessary data, PIPL). The identity number is
never kept: a record holds its keyed hash, and a potential case its encrypted form.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Column kinds the validator knows.
ID_NUMBER = "id_number"
TEXT = "text"
DATE = "date"
AMOUNT = "amount"
GRADE = "grade"  # an integer 1 (most severe) to 4
LEVEL = "level"  # one of A, B, C, D (house safety rating)


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str
    required: bool = True
    keep: bool = True


@dataclass(frozen=True)
class Source:
    code: str
    department: str  # the department's Chinese name, as files and pages show it
    columns: tuple[Column, ...]
    date_column: str  # the record's date (the event's day)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def kept(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.keep and c.kind != ID_NUMBER)


_ID = Column("id_number", "身份证号", ID_NUMBER, keep=False)
_NAME = Column("name", "姓名", TEXT, keep=False)

SOURCES: dict[str, Source] = {
    source.code: source
    for source in (
        Source(
            "medical",
            "医保",
            (
                _ID,
                _NAME,
                Column("settled_on", "结算日期", DATE),
                Column("out_of_pocket", "个人自付", AMOUNT),
            ),
            "settled_on",
        ),
        Source(
            "unemployment",
            "人社",
            (
                _ID,
                _NAME,
                Column("registered_on", "失业登记日期", DATE),
                Column("ended_on", "终止日期", DATE, required=False),
            ),
            "registered_on",
        ),
        Source(
            "disability",
            "残联",
            (
                _ID,
                _NAME,
                Column("certified_on", "认定日期", DATE),
                Column("grade", "残疾等级", GRADE),
                Column("category", "残疾类别", TEXT, required=False, keep=False),
            ),
            "certified_on",
        ),
        Source(
            "illness",
            "卫健",
            (
                _ID,
                _NAME,
                Column("diagnosed_on", "诊断日期", DATE),
                Column("serious", "是否大病", TEXT),
            ),
            "diagnosed_on",
        ),
        Source(
            "disaster",
            "应急",
            (
                _ID,
                _NAME,
                Column("occurred_on", "受灾日期", DATE),
                Column("loss", "损失金额", AMOUNT),
            ),
            "occurred_on",
        ),
        Source("death", "公安", (_ID, _NAME, Column("died_on", "死亡日期", DATE)), "died_on"),
        Source(
            "housing",
            "住建",
            (_ID, _NAME, Column("rated_on", "鉴定日期", DATE), Column("level", "危房等级", LEVEL)),
            "rated_on",
        ),
        Source(
            "school",
            "教育",
            (
                _ID,
                _NAME,
                Column("left_on", "离校日期", DATE),
                Column("reason", "离校原因", TEXT, required=False, keep=False),
            ),
            "left_on",
        ),
    )
}


def header_map(source: Source, header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Which position each schema column has in ``header`` (English or Chinese names, case
    and surrounding spaces ignored), and the required columns that are missing."""
    positions: dict[str, int] = {}
    wanted = {}
    for column in source.columns:
        wanted[column.name.lower()] = column.name
        wanted[column.label] = column.name
    for index, cell in enumerate(header):
        key = cell.strip().lstrip("\ufeff").strip()
        name = wanted.get(key) or wanted.get(key.lower())
        if name is not None and name not in positions:
            positions[name] = index
    missing = [c.name for c in source.columns if c.required and c.name not in positions]
    return positions, missing
