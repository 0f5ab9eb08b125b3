"""Classroom languages: one catalogue of UI strings per language and a small `t()`.

Pure Python (no streamlit, no TensorFlow). Catalogues are dicts key -> str.format template in
en.py and zh.py; both hold the same keys with the same placeholders (a test checks). Keys are
dotted by page: "home.*", "xp.*" (Explainer), "tr.*", "gal.*", "pred.*", "les.*" (Lessons),
"app.*"/"nav.*" (navigation and the sidebar), "col.*" (shared table columns); and by the module
whose words they translate: "diag.*" (diagnose's verdicts), "zoo.*" (architecture texts),
"ds.*" (dataset sources), "term.*" (a whole word or label that is data elsewhere) and
"phrase.*" (pieces of labels built with numbers, replaced by `words`).

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
    return text.format(**fmt) if fmt else text


def term(text: str, lang: str = DEFAULT) -> str:
    """A word that is data elsewhere (a filter's name, a chart's axis title) in `lang`: the
    catalogue's "term.<text>", or the text itself where there is none."""
    return CATALOGUES[normalize(lang)].get("term." + str(text), text)


def words(text: str, lang: str = DEFAULT) -> str:
    """Text built by a cnnweb module (a chart label, a layer description) in `lang`: a whole
    term, else its known phrases ("phrase.*", longest first) replaced, so "input 5×5 + zero
    padding (grey)" comes out translated around the numbers."""
    whole = term(text, lang)
    if whole != text:
        return whole
    cat = CATALOGUES[normalize(lang)]
    for key in sorted((k for k in cat if k.startswith("phrase.")), key=len, reverse=True):
        text = text.replace(key[len("phrase."):], cat[key])
    return text


def placeholders(text: str) -> list[tuple[str, str]]:
    """The (name, format spec) of each {placeholder} in a template, sorted."""
    return sorted((name, spec or "") for _, name, spec, _ in string.Formatter().parse(text)
                  if name is not None)


class Msg(str):
    """English text that remembers its catalogue key and parameters (see `tr`)."""

    key: str
    params: dict

    def __new__(cls, key: str, **params):
        self = super().__new__(cls, t(key, **params))
        self.key, self.params = key, params
        return self


def tr(text, lang: str) -> str:
    """A Msg in `lang`; any other text unchanged."""
    if isinstance(text, Msg):
        return t(text.key, lang=lang, **{k: tr(v, lang) for k, v in text.params.items()})
    return text
