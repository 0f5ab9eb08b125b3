"""Classroom languages: one catalogue of UI strings per language and a small `t()`.

Pure Python (no streamlit, no TensorFlow). Catalogues are dicts key -> str.format template in
en.py and zh.py; both hold the same keys with the same placeholders (a test checks). Keys are
dotted by page: "home.*", "xp.*" (Explainer), "tr.*", "gal.*", "pred.*", "les.*" (Lessons),
"app.*"/"nav.*" (navigation and the sidebar), "col.*" (shared table columns); and by the module
whose words they translate: "diag.*" (diagnose's verdicts), "zoo.*" (architecture texts),
"ds.*" (dataset sources) and "term.*" (a whole word or label that is data elsewhere). Text
with numbers in it is never translated by replacing pieces of English: the module that makes it
takes the reader's language, or returns a `Msg`.

Plurals: a placeholder "{n:,|epoch|epochs}" writes n (with the format before the first "|")
and then the singular word when n is 1, else the plural: "1 epoch", "2,000 epochs"; with no
number format "{n:|pixel|pixels}". Only English needs it; Chinese writes "{n:,} 轮".
`placeholders` ignores the words, so both catalogues still hold the same placeholders.

Modules that write words for the page (diagnose.py) return `Msg`: a str in English that also
carries its key and parameters, so a page can show it in the reader's language with `tr()`.
"""

from __future__ import annotations

import string

from cnnweb.i18n import en, zh

LANGS = {"en": "English", "zh": "简体中文"}
CATALOGUES = {"en": en.MESSAGES, "zh": zh.MESSAGES}
DEFAULT = "en"


def normalize(lang) -> str:
    """A known language code (anything else, e.g. a mistyped ?lang=, falls back to English)."""
    return lang if lang in CATALOGUES else DEFAULT


def t(key: str, /, *, lang: str = DEFAULT, **fmt) -> str:
    """The text of `key` in `lang` with `fmt` filled in; a key missing in `lang` falls back to
    English and an unknown key shows itself (the tests look for such raw keys on every page)."""
    text = CATALOGUES[normalize(lang)].get(key)
    if text is None:
        text = CATALOGUES[DEFAULT].get(key, key)
    return fill(text, **fmt) if fmt else text


class _Formatter(string.Formatter):
    def format_field(self, value, spec):
        if "|" not in spec:
            return super().format_field(value, spec)
        spec, one, many = spec.split("|", 2)
        return f"{format(value, spec)} {one if value == 1 else many}"


_FORMATTER = _Formatter()


def fill(template: str, /, **fmt) -> str:
    """template.format(**fmt), plus the "{n:|one|many}" plurals described above."""
    return _FORMATTER.vformat(template, (), fmt)


def term(text: str, lang: str = DEFAULT) -> str:
    """A word that is data elsewhere (a filter's name, a chart's axis title) in `lang`: the
    catalogue's "term.<text>", or the text itself where there is none."""
    return CATALOGUES[normalize(lang)].get("term." + str(text), text)


def placeholders(text: str) -> list[tuple[str, str]]:
    """The (name, format spec) of each {placeholder} in a template, sorted."""
    return sorted((name, (spec or "").split("|")[0])
                  for _, name, spec, _ in string.Formatter().parse(text) if name is not None)


class Msg(str):
    """English text that remembers its catalogue key and parameters (see `tr`)."""

    key: str
    params: dict

    def __new__(cls, key: str, **params):
        self = super().__new__(cls, t(key, **params))
        self.key, self.params = key, params
        return self


def to_json(value):
    """A Msg (with Msg parameters) as plain JSON, {"msg": key, "args": {...}}, so it crosses a
    process or a file and is shown in the reader's language later; other values as they are
    (anything not JSON-plain as its text)."""
    if isinstance(value, Msg):
        return {"msg": value.key, "args": {k: to_json(v) for k, v in value.params.items()}}
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def from_json(value):
    """to_json's Msg back (nested too); anything else as it is."""
    if isinstance(value, dict) and set(value) == {"msg", "args"} and isinstance(value["args"], dict):
        return Msg(str(value["msg"]), **{str(k): from_json(v) for k, v in value["args"].items()})
    return value


def tr(text, lang: str) -> str:
    """A Msg in `lang`; any other text unchanged."""
    if isinstance(text, Msg):
        return t(text.key, lang=lang, **{k: tr(v, lang) for k, v in text.params.items()})
    return text


