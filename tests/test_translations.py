"""The Simplified Chinese catalogue: complete, faithful to its placeholders, and compiled.

The .po is parsed with a small reader here (polib is not a dependency); the compiled .mo is read
with the standard library's ``gettext.GNUTranslations``, the same format Django loads.
"""

from __future__ import annotations

import datetime as dt
import gettext as stdlib_gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

import jiuzhu

LC_MESSAGES = Path(jiuzhu.__file__).resolve().parent / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

# Entries whose Chinese may hold no Chinese character (formulas, a language's own name, signs).
NO_CJK_NEEDED = {"(%)", "M0 = H × A", "English"}
CJK = re.compile(r"[\u3400-\u9fff]")

# %(name)s / %(name)d / bare %s %d %i %f / {name}; "%%" is a literal percent sign.
NAMED = re.compile(r"%\((\w+)\)[sdif]")
BARE = re.compile(r"%(?!\()[-+ #0]*\d*(?:\.\d+)?[sdif]")
BRACED = re.compile(r"\{(\w*)\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    refs: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def where(self) -> str:
        return f"{self.msgid!r} ({', '.join(self.refs[:2]) or 'no reference'})"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(token: str) -> str:
    token = token.strip()
    assert token.startswith('"') and token.endswith('"'), token
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], token[1:-1])


def read_po(path: Path) -> list[Entry]:
    """Entries of a .po file, the header (empty msgid) first."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    started = False

    def flush() -> None:
        nonlocal current, started, target
        if started:
            entries.append(current)
        current, started, target = Entry(), False, None

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
            continue
        if line.startswith("#~"):
            current.obsolete = started = True
            continue
        if line.startswith("#,"):
            current.flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#:"):
            current.refs += line[2:].split()
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line)
        if match:
            if match.group(1) in ("msgctxt", "msgid") and current.msgstr:
                flush()  # a new entry begins without a blank line
            keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            started = True
            if keyword == "msgstr":
                target = ("msgstr", int(index or 0))
                current.msgstr[target[1]] = value
            else:
                target = (keyword, 0)
                setattr(current, keyword, value)
            continue
        if line.startswith('"') and target is not None:
            value = _unquote(line)
            if target[0] == "msgstr":
                current.msgstr[target[1]] += value
            else:
                setattr(current, target[0], getattr(current, target[0]) + value)
            continue
        raise AssertionError(f"unreadable line in {path.name}: {line!r}")
    flush()
    return entries


def placeholders(text: str) -> tuple[Counter, Counter, Counter]:
    without_percent = text.replace("%%", "")
    return (
        Counter(NAMED.findall(without_percent)),
        Counter(m.group(0)[-1] for m in BARE.finditer(without_percent)),
        Counter(BRACED.findall(text)),
    )


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing"
    return read_po(PO_PATH)


@pytest.fixture(scope="module")
def messages(po_entries) -> list[Entry]:
    return [e for e in po_entries if e.msgid and not e.obsolete]


def test_the_reader_understands_the_file(po_entries, messages):
    assert po_entries[0].msgid == ""  # the header
    assert len(messages) > 500
    assert {e.msgid for e in messages} >= {"Households", "Save", "Sign in"}


def test_the_header_is_for_simplified_chinese_with_one_plural_form(po_entries):
    header = po_entries[0].msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header
    assert "charset=UTF-8" in header
    assert "fuzzy" not in po_entries[0].flags


def test_every_message_is_translated_and_none_is_fuzzy(messages):
    untranslated = [e.where for e in messages if not e.msgstr.get(0, "").strip()]
    fuzzy = [e.where for e in messages if "fuzzy" in e.flags]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"


def test_plural_messages_have_their_one_chinese_form(messages):
    for entry in messages:
        if entry.msgid_plural is not None:
            assert set(entry.msgstr) == {0}, entry.where


def test_translations_are_chinese_not_copies_of_the_english(messages):
    copied = [
        e.where
        for e in messages
        if e.msgid not in NO_CJK_NEEDED and not CJK.search(e.msgstr.get(0, ""))
    ]
    assert not copied, f"{len(copied)} entries have no Chinese in them: {copied[:20]}"


def test_placeholders_survive_translation(messages):
    wrong = []
    for entry in messages:
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        expected = placeholders(entry.msgid)
        if entry.msgid_plural:
            # Chinese has one form; it may use the plural's placeholders (same names).
            names = placeholders(entry.msgid)[0] | placeholders(entry.msgid_plural)[0]
            expected = (names, expected[1], expected[2])
        for translated in entry.msgstr.values():
            got = placeholders(translated)
            if entry.msgid_plural:
                ok = set(got[0]) == set(expected[0]) and got[1:] == expected[1:]
            else:
                ok = got == expected
            if not ok:
                wrong.append((sources[0], translated))
    assert not wrong, f"placeholders differ: {wrong[:10]}"


def test_html_tags_survive_translation(messages):
    tag = re.compile(r"</?[a-zA-Z][^>]*>")
    wrong = [
        (e.msgid, e.msgstr[0])
        for e in messages
        if sorted(tag.findall(e.msgid)) != sorted(tag.findall(e.msgstr.get(0, "")))
    ]
    assert not wrong, wrong[:10]


def test_the_compiled_catalogue_holds_every_translation(messages):
    """Compare contents, not file times (git does not keep them): run compilemessages."""
    assert MO_PATH.exists(), "run: django-admin compilemessages (the .mo is committed)"
    with MO_PATH.open("rb") as handle:
        compiled = stdlib_gettext.GNUTranslations(handle)
    stale = []
    for entry in messages:
        wanted = entry.msgstr[0]
        if entry.msgid_plural is not None:
            got = (
                compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
                if entry.msgctxt is not None
                else compiled.ngettext(entry.msgid, entry.msgid_plural, 1)
            )
        elif entry.msgctxt is not None:
            got = compiled.pgettext(entry.msgctxt, entry.msgid)
        else:
            got = compiled.gettext(entry.msgid)
        if got != wanted:
            stale.append((entry.msgid, got, wanted))
    assert not stale, f"the .mo is older than the .po; {len(stale)} differ: {stale[:5]}"


def test_django_shows_the_chinese_navigation():
    with translation.override("zh-hans"):
        households = translation.gettext("Households")
        assert CJK.search(households), households
        assert households == "困难家庭"
        assert translation.gettext("Head of household") == "户主"
        assert translation.gettext("Audit log") == "审计日志"
    with translation.override("en"):
        assert translation.gettext("Households") == "Households"


def test_the_check_character_message_has_its_fixed_chinese_wording():
    from jiuzhu.core.identity import InvalidIdentityNumber, parse_identity_number

    # 11010519491231002X is valid; a wrong last character names the right one.
    with translation.override("zh-hans"), pytest.raises(InvalidIdentityNumber) as caught:
        parse_identity_number("110105194912310021", today=dt.date(2026, 1, 1))
    assert str(caught.value) == "校验码错误：应为 X，而不是 1。"


def test_the_reader_handles_plurals_contexts_and_continued_lines(tmp_path):
    sample = tmp_path / "sample.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid "%(n)s item"\nmsgid_plural "%(n)s items"\n'
        'msgstr[0] "%(n)s 项"\n\n'
        'msgctxt "menu"\nmsgid ""\n"Long "\n"text \\"quoted\\""\nmsgstr "长文本"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "已删"\n',
        encoding="utf-8",
    )
    header, plural, long, gone = read_po(sample)
    assert header.msgid == "" and "nplurals=1" in header.msgstr[0]
    assert plural.msgid_plural == "%(n)s items" and plural.msgstr == {0: "%(n)s 项"}
    assert "python-format" in plural.flags and plural.refs == ["a.py:1"]
    assert long.msgctxt == "menu" and long.msgid == 'Long text "quoted"'
    assert gone.obsolete
    assert placeholders("%(a)s and %s, {b}, 100%%") == (
        Counter({"a": 1}),
        Counter({"s": 1}),
        Counter({"b": 1}),
    )
