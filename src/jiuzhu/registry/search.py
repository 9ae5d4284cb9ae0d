"""Name search that scales: a search table kept by database triggers.

Searching households by name means: the query is a substring of the head's name or any member's
name (current and former members). Phone numbers are not in this table: they are encrypted at
rest and found whole, by their keyed lookup hash (``registry.selectors.households``). A
``LIKE '%…%'`` over households with an ``EXISTS`` over members reads every row (170 ms at
100,000 households). Instead, ``registry_householdsearch`` keeps one row per household:

* ``text``  -- head name, then each member's name, separated by newlines;
* ``text3`` -- the same text with every character written three times ("王芳" -> "王王王芳芳芳").

and the database indexes both by trigrams: an FTS5 table with the ``trigram`` tokenizer on
SQLite, GIN ``gin_trgm_ops`` indexes (``pg_trgm``) on PostgreSQL. A query of three characters or
more is looked up as ``text LIKE '%q%'`` (on SQLite as the phrase ``text MATCH '"q"'``, which
means the same with this tokenizer). Trigrams cannot index a query of one or two characters
(and two-character Chinese names are common), so those are looked up in ``text3`` with the query
tripled too: "王芳" -> ``text3 LIKE '%王王王芳芳芳%'``, six characters, which the trigram index
serves. A match of the tripled query in the tripled text is a match of the query in the text
(a match not aligned on a character's three copies forces repeated characters that make it a
match anyway), so the results are exactly the substring matches. The newline separator keeps a
match inside one field: queries with a newline never reach this path.

Triggers on households (insert, delete, update of head name) and members (insert,
delete, update of name or household) rebuild the household's row in the same
transaction, so every write path (services, bulk generator, admin, raw SQL) keeps it current.
Bulk loaders can ``pause()`` the triggers and ``rebuild()`` the rows they wrote at the end.

The table also holds each household's district, street and community, so a search narrowed only
by areas is answered from the search table alone (``matching_household_ids(q, areas)``). On
PostgreSQL they are plain columns, checked on the rows the trigram index finds. On SQLite the
table indexes them as ``place`` (one marker per area; ``place_markers``), so a search narrowed
to an area is answered from the index alone: FTS5 intersects the name's and the area's lists of
rows, where checking each match against its household's row costs about a microsecond a match (a
one-character surname matches 13 % of a city). A marker is exactly one trigram, so an area's
list is one token's: a level tag (U+E000 district, U+E001 street, U+E002 community) and the
area's id in two base-6000 digits (U+E100 up), all in Unicode's Private Use Area. Tags are never
digits, so every trigram that starts with a tag is a whole marker: a marker matches its own area
only. Names are never looked up in ``place``. (Two trigrams per marker, a phrase like ``|d4|``,
took 82 ms instead of 34 ms to narrow a surname to a district of 500,000 households: FTS5
compares their positions.)

On SQLite the tripling inside a trigger calls ``jiuzhu_triple``, a deterministic SQL function
registered on every connection Django opens (``register_sqlite_functions``).
"""

# ruff: noqa: S608 -- every statement here is built from this module's constants and column
# names; the only user input (the query) is passed as a parameter.
from __future__ import annotations

from contextlib import contextmanager

from django.db import connection

TABLE = "registry_householdsearch"
SEPARATOR = "\n"
#: The query is looked up in the tripled column below this many characters.
TRIGRAM = 3


def triple(text: str) -> str:
    return "".join(character * 3 for character in text)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: the functions the SQLite triggers call."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("jiuzhu_triple", 1, _sql_triple, deterministic=True)


def _sql_triple(text):
    return None if text is None else triple(text)


# ------------------------------------------------------------------------ DDL

#: The household's columns of its areas, by level (what ``matching_household_ids`` narrows by).
AREA_COLUMNS = {"district": "district_id", "street": "street_id", "community": "community_id"}

#: Place markers (see the module's docstring): the level tags and the digits' base.
_TAGS = {"district": 0xE000, "street": 0xE001, "community": 0xE002}
_DIGIT0 = 0xE100
_BASE = 6000


def _marker(level: str, area_id: int) -> str:
    if not 0 <= area_id < _BASE * _BASE:
        raise ValueError(f"area id {area_id} out of the place markers' range")
    return chr(_TAGS[level]) + chr(_DIGIT0 + area_id // _BASE) + chr(_DIGIT0 + area_id % _BASE)


def _sql_marker(level: str, column: str) -> str:
    return (
        f"char({_TAGS[level]}) || char({_DIGIT0} + {column} / {_BASE})"
        f" || char({_DIGIT0} + {column} % {_BASE})"
    )


#: SQLite: a household's place as the search table indexes it.
_SQLITE_PLACE = " || ".join(
    _sql_marker(level, f"h.{column}") for level, column in AREA_COLUMNS.items()
)

_SQLITE_ROW = f"""
    SELECT id, text, jiuzhu_triple(text), place FROM (
        SELECT h.id AS id, h.head_name || coalesce((
            SELECT group_concat(char(10) || m.name, '')
            FROM registry_member m WHERE m.household_id = h.id), '') AS text,
            {_SQLITE_PLACE} AS place
        FROM registry_household h WHERE h.id = {{id}})"""


def _sqlite_refresh(expr: str) -> str:
    return (
        f"DELETE FROM {TABLE} WHERE rowid = {expr}; "
        f"INSERT INTO {TABLE}(rowid, text, text3, place) {_SQLITE_ROW.format(id=expr)};"
    )


SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(text, text3, place, tokenize='trigram')",
]
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER registry_search_h_ins AFTER INSERT ON registry_household BEGIN
        {_sqlite_refresh("new.id")} END""",
    f"""CREATE TRIGGER registry_search_h_upd
        AFTER UPDATE OF head_name, district_id, street_id, community_id
        ON registry_household BEGIN {_sqlite_refresh("new.id")} END""",
    f"""CREATE TRIGGER registry_search_h_del AFTER DELETE ON registry_household BEGIN
        DELETE FROM {TABLE} WHERE rowid = old.id; END""",
    f"""CREATE TRIGGER registry_search_m_ins AFTER INSERT ON registry_member BEGIN
        {_sqlite_refresh("new.household_id")} END""",
    f"""CREATE TRIGGER registry_search_m_upd AFTER UPDATE OF name, household_id
        ON registry_member BEGIN {_sqlite_refresh("old.household_id")}
        {_sqlite_refresh("new.household_id")} END""",
    f"""CREATE TRIGGER registry_search_m_del AFTER DELETE ON registry_member BEGIN
        {_sqlite_refresh("old.household_id")} END""",
]
SQLITE_TRIGGER_NAMES = [
    "registry_search_h_ins",
    "registry_search_h_upd",
    "registry_search_h_del",
    "registry_search_m_ins",
    "registry_search_m_upd",
    "registry_search_m_del",
]

_PG_TEXT = """h.head_name || coalesce((
            SELECT string_agg(E'\\n' || m.name, '' ORDER BY m.id)
            FROM registry_member m WHERE m.household_id = h.id), '')"""

POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"""CREATE TABLE {TABLE} (
        household_id bigint PRIMARY KEY, text text NOT NULL, text3 text NOT NULL,
        district_id bigint, street_id bigint, community_id bigint)""",
    f"""CREATE FUNCTION registry_search_refresh(hid bigint) RETURNS void
        LANGUAGE plpgsql AS $$
        DECLARE t text; d bigint; s bigint; c bigint;
        BEGIN
            SELECT {_PG_TEXT}, h.district_id, h.street_id, h.community_id INTO t, d, s, c
            FROM registry_household h WHERE h.id = hid;
            IF t IS NULL THEN
                DELETE FROM {TABLE} WHERE household_id = hid;
            ELSE
                INSERT INTO {TABLE} (household_id, text, text3, district_id, street_id,
                    community_id)
                VALUES (hid, t, regexp_replace(t, '(.)', '\\1\\1\\1', 'g'), d, s, c)
                ON CONFLICT (household_id)
                DO UPDATE SET text = EXCLUDED.text, text3 = EXCLUDED.text3,
                    district_id = EXCLUDED.district_id, street_id = EXCLUDED.street_id,
                    community_id = EXCLUDED.community_id;
            END IF;
        END $$""",
    """CREATE FUNCTION registry_search_household() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                PERFORM registry_search_refresh(OLD.id);
            ELSE
                PERFORM registry_search_refresh(NEW.id);
            END IF;
            RETURN NULL;
        END $$""",
    """CREATE FUNCTION registry_search_member() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                PERFORM registry_search_refresh(OLD.household_id);
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                PERFORM registry_search_refresh(NEW.household_id);
            END IF;
            RETURN NULL;
        END $$""",
    f"CREATE INDEX registry_search_text_trgm ON {TABLE} USING gin (text gin_trgm_ops)",
    f"CREATE INDEX registry_search_text3_trgm ON {TABLE} USING gin (text3 gin_trgm_ops)",
]
POSTGRES_TRIGGERS = [
    """CREATE TRIGGER registry_search_h
        AFTER INSERT OR DELETE OR UPDATE OF head_name, district_id, street_id, community_id
        ON registry_household FOR EACH ROW EXECUTE FUNCTION registry_search_household()""",
    """CREATE TRIGGER registry_search_m
        AFTER INSERT OR DELETE OR UPDATE OF name, household_id
        ON registry_member FOR EACH ROW EXECUTE FUNCTION registry_search_member()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS registry_search_h ON registry_household",
    "DROP TRIGGER IF EXISTS registry_search_m ON registry_member",
    f"DROP TABLE IF EXISTS {TABLE}",
    "DROP FUNCTION IF EXISTS registry_search_member()",
    "DROP FUNCTION IF EXISTS registry_search_household()",
    "DROP FUNCTION IF EXISTS registry_search_refresh(bigint)",
]


def _execute(statements: list[str], using=None) -> None:
    conn = using or connection
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _triggers(conn) -> list[str]:
    return SQLITE_TRIGGERS if conn.vendor == "sqlite" else POSTGRES_TRIGGERS


def _drop_triggers(conn) -> list[str]:
    if conn.vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGER_NAMES]
    return POSTGRES_DROP[:2]


def install(conn=None) -> None:
    """Create the table, its index and triggers, and fill it (the migration's forward step)."""
    conn = conn or connection
    if conn.vendor == "sqlite":
        register_sqlite_functions(None, conn)
        _execute(SQLITE_CREATE, conn)
    else:
        _execute(POSTGRES_CREATE, conn)
    _execute(_triggers(conn), conn)
    rebuild(conn=conn)


def uninstall(conn=None) -> None:
    conn = conn or connection
    if conn.vendor == "sqlite":
        _execute(_drop_triggers(conn) + [f"DROP TABLE IF EXISTS {TABLE}"], conn)
    else:
        _execute(POSTGRES_DROP, conn)


def rebuild(*, first_id: int | None = None, last_id: int | None = None, conn=None) -> None:
    """Recompute the rows of households ``first_id..last_id`` (all when not given) in one
    statement per database, after a bulk load with the triggers paused."""
    conn = conn or connection
    where, params = "", []
    if first_id is not None:
        where, params = "WHERE h.id BETWEEN %s AND %s", [first_id, last_id]
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            register_sqlite_functions(None, conn)
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE rowid IN (SELECT h.id FROM registry_household h "
                f"{where})",
                params,
            )
            cursor.execute(
                f"""INSERT INTO {TABLE}(rowid, text, text3, place)
                SELECT id, text, jiuzhu_triple(text), place FROM (
                    SELECT h.id, h.head_name
                        || coalesce(group_concat(char(10) || m.name, ''), '') AS text,
                        {_SQLITE_PLACE} AS place
                    FROM registry_household h
                    LEFT JOIN registry_member m ON m.household_id = h.id
                    {where} GROUP BY h.id)""",
                params,
            )
        else:
            cursor.execute(
                f"""INSERT INTO {TABLE} (household_id, text, text3, district_id, street_id,
                    community_id)
                SELECT id, text, regexp_replace(text, '(.)', '\\1\\1\\1', 'g'),
                    district_id, street_id, community_id FROM (
                    SELECT h.id, h.head_name || coalesce(string_agg(
                        E'\\n' || m.name, '' ORDER BY m.id), '') AS text,
                        h.district_id, h.street_id, h.community_id
                    FROM registry_household h
                    LEFT JOIN registry_member m ON m.household_id = h.id
                    {where} GROUP BY h.id) rows
                ON CONFLICT (household_id)
                DO UPDATE SET text = EXCLUDED.text, text3 = EXCLUDED.text3,
                    district_id = EXCLUDED.district_id, street_id = EXCLUDED.street_id,
                    community_id = EXCLUDED.community_id""",
                params,
            )


@contextmanager
def paused(conn=None):
    """Drop the triggers for a bulk load (inside its transaction) and put them back; the
    caller rebuilds the rows it wrote. Both databases roll the DDL back with the transaction."""
    conn = conn or connection
    _execute(_drop_triggers(conn), conn)
    try:
        yield
    finally:
        _execute(_triggers(conn), conn)


# ------------------------------------------------------------------------ query


def _like_pattern(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def place_markers(areas: dict[str, int]) -> list[str]:
    """SQLite: the markers a household's ``place`` holds for these area ids, by level."""
    return [_marker(level, int(area)) for level, area in areas.items()]


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def matching_household_ids(q: str, areas: dict[str, int | None] | None = None) -> tuple[str, list]:
    """SQL selecting the ids of households whose search text contains ``q``, and its params
    (``q`` is not empty and has no newline); with ``areas`` (district, street and community
    ids; None: any), only the households of those areas, narrowed in the search table."""
    short = len(q) < TRIGRAM
    column = "text3" if short else "text"
    needle = triple(q) if short else q
    areas = {level: area for level, area in (areas or {}).items() if area is not None}
    if connection.vendor == "sqlite":
        # With the trigram tokenizer a quoted phrase MATCHes exactly the rows that contain it
        # as a substring, answered from the index alone; LIKE reads every candidate row to
        # check it (a common surname, 96,605 matches of 1,000,000 rows: 147 ms against 5 ms).
        terms = [f"{column} : {_phrase(needle)}"]
        terms += [f"place : {_phrase(marker)}" for marker in place_markers(areas)]
        return f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [" AND ".join(terms)]
    pattern = _like_pattern(needle)
    escape = " ESCAPE '\\'" if pattern != f"%{needle}%" else ""
    sql = f"SELECT household_id FROM {TABLE} WHERE {column} LIKE %s{escape}"
    for level in areas:
        sql += f" AND {AREA_COLUMNS[level]} = %s"
    return sql, [pattern, *(int(area) for area in areas.values())]
