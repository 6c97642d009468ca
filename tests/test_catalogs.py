"""The Chinese catalog covers every message in the code and templates, and nothing else."""

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from palace.i18n import catalog_path

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _wanted(directory: str) -> bool:
    path = Path(directory).resolve()
    return path == ROOT or any(path.is_relative_to(ROOT / top) for top in ("palace", "templates"))


def source_messages() -> set[str]:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    extracted = extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords, directory_filter=_wanted
    )
    return {msg[0] if isinstance(msg, tuple) else msg for _f, _l, msg, _c, _x in extracted}


def catalog() -> dict[str, tuple[str, ...]]:
    with catalog_path("zh-CN").open("rb") as handle:
        po = read_po(handle, locale="zh_CN")
    entries = {}
    for message in po:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        entries[key] = ("fuzzy",) if message.fuzzy else tuple(strings)
    assert not po.obsolete, f"obsolete entries: {list(po.obsolete)}"
    return entries


def test_every_message_is_translated() -> None:
    entries = catalog()
    messages = source_messages()
    assert len(messages) > 50, "extraction found too little; is babel.cfg right?"
    missing = sorted(m for m in messages if m not in entries)
    untranslated = sorted(m for m in messages if m in entries and not all(entries[m]))
    fuzzy = sorted(m for m, strings in entries.items() if strings == ("fuzzy",))
    assert missing == [], "not in the catalog; run scripts/i18n and translate"
    assert untranslated == [], "empty translations"
    assert fuzzy == [], "fuzzy translations need a look"


def test_catalog_has_no_stale_entries() -> None:
    stale = sorted(set(catalog()) - source_messages())
    assert stale == [], "no longer in the code; run scripts/i18n"


def test_placeholders_survive_translation() -> None:
    for message, strings in catalog().items():
        for string in strings:
            assert set(PLACEHOLDER.findall(message)) == set(PLACEHOLDER.findall(string)), message
