"""Classroom mode: the catalogues are complete, every page and lesson renders in every language
with no raw catalogue key shown, and the lessons' numbers are the seeds' (computed, not typed)."""

import math
import re

import numpy as np
import pytest

from cnnweb import conv, i18n, lessons, paths, ui
from tests.helpers import CJK, RAW_KEY, open_page


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")

APP = str(paths.ROOT / "app.py")


# ---------------------------------------------------------------- the catalogues

def test_every_language_has_the_same_keys_as_english():
    en = set(i18n.CATALOGUES["en"])
    for lang, cat in i18n.CATALOGUES.items():
        assert set(cat) == en, (lang, sorted(set(cat) ^ en)[:10])


def test_every_translation_has_the_same_placeholders_and_formats():
    en = i18n.CATALOGUES["en"]
    for lang, cat in i18n.CATALOGUES.items():
        for key, text in cat.items():
            assert i18n.placeholders(text) == i18n.placeholders(en[key]), (lang, key)
            values = {name: 1.5 for name, _ in i18n.placeholders(text)}
            if key.startswith("term."):     # looked up whole, never filled: Plotly's %{x} fields
                assert text.strip()
                continue
            assert i18n.fill(text, **values) if values else text.strip() or key.endswith("inside")


def test_chinese_is_written_in_chinese_with_the_tutorials_terms():
    zh = i18n.CATALOGUES["zh"]
    words = [k for k, v in i18n.CATALOGUES["en"].items() if re.search(r"[a-z]{4}", v)]
    untranslated = [k for k in words if not CJK.search(zh[k]) and zh[k] == i18n.CATALOGUES["en"][k]]
    # proper names (CIFAR-10 test #8: ship has a Chinese label; "#" and "MACs" stay) aside
    assert len(untranslated) <= 0.03 * len(words), untranslated
    text = " ".join(zh.values())
    for term in ("卷积核", "步长", "全零填充", "感受野", "池化", "过拟合", "批标准化", "舍弃"):
        assert term in text


def test_t_fills_in_falls_back_to_english_and_shows_unknown_keys():
    assert i18n.t("xp.cmp_params", lang="zh", n=1234) == "1,234 个参数"
    assert i18n.t("xp.cmp_params", n=1234) == "1,234 parameters"
    assert i18n.t("xp.cmp_params", lang="xx", n=2) == "2 parameters"   # unknown language
    assert i18n.t("no.such_key", lang="zh") == "no.such_key"
    assert i18n.term("sharpen", "zh") == "锐化" and i18n.term("not a term", "zh") == "not a term"


def test_english_says_1_epoch_and_2_epochs_and_chinese_needs_no_plural():
    assert i18n.t("xp.cmp_params", n=1) == "1 parameter"
    assert i18n.t("xp.cmp_params", n=2000) == "2,000 parameters"
    assert i18n.t("xp.zeros_per_side", n=1) == "1 zero/side"
    assert i18n.t("xp.cmp_params", lang="zh", n=1) == "1 个参数"
    text = i18n.t("les.padding.layers_end", depth=1, k=3, same=1, valid=1)
    assert text == "After 1 layer of 3×3: **1 pixel** per side with SAME, **1** with VALID."
    assert "2 layers" in i18n.t("les.padding.layers_end", depth=2, k=3, same=5, valid=1)
    rf = i18n.t("xp.rf_text", r=0, c=0, li=1, size=3, top=0, bottom=2, left=0, right=2, jump=1,
                r0=0, r1=2, c0=0, c1=2)
    assert "**1 pixel** apart" in rf
    # every English template that counts something with a plural placeholder says it both ways
    for key, text in i18n.CATALOGUES["en"].items():
        for name, spec in re.findall(r"\{(\w+):([^}]*\|[^}]*)\}", text):
            one, many = spec.split("|")[1:]
            assert one != many and one in i18n.t(key, **{n: 1 for n, _ in i18n.placeholders(text)})
    assert not [k for k, v in i18n.CATALOGUES["en"].items()
                if re.search(r"\{\w+(:[^}|]*)?\}\** (pixels|epochs|layers|zeros|paths)\b", v)]


def test_big_numbers_have_thousands_separators_in_both_languages():
    for lang in i18n.LANGS:
        text = i18n.t("xp.rf_paths", lang=lang, most=506835781776, least=1)
        assert "506,835,781,776" in text, text
        assert "1,023×1,023" in i18n.t("xp.rf_text", lang=lang, r=0, c=0, li=1, size=1023,
                                       top=0, bottom=2, left=0, right=2, jump=4, r0=0, r1=2,
                                       c0=0, c1=2)


def test_zoo_translations_are_of_the_zoos_current_english():
    from cnnweb import zoo

    for name in zoo.names():
        for field in ("description", "notes"):
            assert i18n.t(f"zoo.{name}.{field}") == zoo.info(name)[field], (name, field)


def test_diagnose_verdicts_read_the_same_in_english_and_translate_fully():
    from cnnweb import diagnose

    hist = {"loss": [1.5, 1.1, 0.9, 0.7, 0.5], "accuracy": [0.45, 0.6, 0.7, 0.8, 0.9],
            "val_loss": [1.3, 1.0, 1.05, 1.15, 1.3], "val_accuracy": [0.5, 0.62, 0.63, 0.62, 0.6]}
    v = diagnose.diagnose(hist, hyperparams={"lr": 1e-3, "limit": 2000}, n_train=2000,
                          has_batchnorm=False)
    assert v["verdict"] == "overfitting"
    texts = [v["summary"], *v["details"], *v["remedies"], v["marker"]["label"]]
    assert texts[0].startswith("Overfitting from epoch 3")                 # plain English str
    for text in texts:
        zh = i18n.tr(text, "zh")
        assert zh != text and CJK.search(zh) and not RAW_KEY.search(zh), text
    # every sentence diagnose.py can say has both translations
    source = (paths.ROOT / "cnnweb" / "diagnose.py").read_text()
    used = set(re.findall(r'Msg\("([^"]+)"', source)) | {
        f"diag.verdict.{name}" for name in re.findall(r'verdict="([a-z ]+)"', source)}
    assert len(used) > 30
    for lang in i18n.LANGS:
        assert used <= set(i18n.CATALOGUES[lang]), used - set(i18n.CATALOGUES[lang])


# ---------------------------------------------------------------- the lessons' numbers

def test_two_stacked_3x3_have_20_parameters_against_26_for_one_5x5_with_the_same_view():
    cmp = lessons.stacked(2, 1)
    assert (cmp["stacked_params"], cmp["single_params"], cmp["big"]) == (20, 26, 5)  # seed 000
    assert cmp["rf_by_depth"] == [3, 5]
    assert cmp["paths_stacked"].sum() == 81 and cmp["paths_stacked"][2, 2] == 9
    assert (cmp["paths_single"] == 1).all()
    assert [lessons.kernel_params(k, c)["params"] for k, c in ((3, 1), (3, 3), (5, 3))] == \
        [10, 28, 76]                                                     # seed 000's examples
    assert lessons.stacked(3, 64)["big"] == 7


def test_the_seeds_padding_formulas_agree_with_keras_arithmetic():
    for n in range(3, 20):
        for k in range(1, 8):
            for s in range(1, 4):
                got = lessons.padding_sizes(n, k, s)
                assert got["same"] == got["seed_same"] == math.ceil(n / s)
                if k <= n:
                    assert got["valid"] == got["seed_valid"] == conv.output_size(n, k, s)
                    assert got["agree"]
                else:                             # Keras refuses: no output, no agreement
                    assert got["valid"] is None and got["seed_valid"] < 1 and not got["agree"]
    assert lessons.padding_sizes(3, 7, 3)["seed_valid"] == -1      # ⌈(3 − 7 + 1) / 3⌉ = ⌈−1⌉


def test_padding_lesson_shows_no_valid_output_honestly_when_the_kernel_is_too_big(keras):
    with pytest.raises(ValueError):      # what the lesson now says: Keras has no VALID output
        keras.layers.Conv2D(1, 7, strides=3, padding="valid").compute_output_shape((1, 3, 3, 1))
    for lang in i18n.LANGS:
        at = _run("lessons", lang, lesson="padding")
        for key, value in (("l2_n", 3), ("l2_k", 7), ("l2_s", 3)):
            at.slider(key=key).set_value(value).run()
        assert not at.exception
        captions = [c.value for c in at.caption]
        assert i18n.t("les.padding.agree", lang=lang, before=2, after=2) not in captions
        assert i18n.t("les.padding.disagree", lang=lang, valid=-1, before=2, after=2) in captions
        metrics = {m.label: m.value for m in at.metric}
        assert metrics[i18n.t("les.padding.valid", lang=lang)] == i18n.t("les.padding.no_output",
                                                                         lang=lang)
        assert any(r"\lceil -1 \rceil = -1" in x.value for x in at.latex)
        assert i18n.t("les.padding.too_big", lang=lang) in [x.value for x in at.info]


def _chart_titles(at) -> list[list[str]]:
    """The panel titles (annotations, or x-axis titles) of each Plotly chart, in order."""
    import json

    out = []
    for node in at.get("plotly_chart"):
        spec = json.loads(node.proto.spec)
        layout = spec["layout"]
        axes = sorted((k for k in layout if k.startswith("xaxis")), key=lambda k: int(k[5:] or 1))
        on_axes = [(layout[k].get("title") or {}).get("text") for k in axes]
        out.append([a.get("text") for a in layout.get("annotations", [])]
                   or [t for t in on_axes if t])        # panel titles drawn as axis titles
    return out


def test_padding_lessons_valid_panel_is_not_titled_zero_padding():
    at = _run("lessons", "en", lesson="padding")          # n=5, k=3, s=1: SAME pads, VALID not
    assert not at.exception
    same, valid = (titles[0] for titles in _chart_titles(at))
    assert (same, valid) == ("input 5×5 + zero padding (grey)", "input 5×5")
    at.slider(key="l2_k").set_value(1).run()                      # a 1×1 kernel: no zeros at all
    assert [titles[0] for titles in _chart_titles(at)] == ["input 5×5", "input 5×5"]


def test_cbapd_lesson_spells_vgg16_from_its_layers_with_five_pools(keras):
    from cnnweb import zoo

    model = zoo.build("vgg16", (32, 32, 3), 10)
    letter = {"Conv2D": "C", "BatchNormalization": "B", "Activation": "A", "ReLU": "A",
              "MaxPooling2D": "P", "Dropout": "D"}
    seq = ""
    for layer in model.layers:
        if type(layer).__name__ == "Flatten":
            break                                    # the feature extractor ends here
        seq += letter.get(type(layer).__name__, "")
    want = " ".join("C" + w for w in seq.split("C")[1:])
    got = lessons.vgg16_cbapd()
    assert got["letters"] == want
    assert (want.split().count("CBAPD"), len(want.split()), got["pools"], got["convs"]) == (
        5, 13, 5, 13)
    for lang in i18n.LANGS:
        at = _run("lessons", lang, lesson="cbapd")
        assert not at.exception
        (text,) = [m.value for m in at.markdown if want in m.value]
        assert text.count("CBAPD") == 5 and "13" in text
    with pytest.raises(ValueError):
        lessons.cbapd_letters([conv.LayerSpec("maxpool")])
    assert lessons.sizes_through_layers(28, 3, 4) == {"same": [28] * 5,
                                                      "valid": [28, 26, 24, 22, 20]}


def test_cbapd_block_of_seed_000_on_cifar():
    rows = lessons.cbapd_rows(32, 3, 6, 5, 2, 0.2)
    assert [r["letter"] for r in rows] == list("CBAPD")
    assert [r["params"] for r in rows] == [456, 24, 0, 0, 0]
    assert rows[0]["shape"] == (32, 32, 6) and rows[-1]["shape"] == (16, 16, 6)
    stages = lessons.cbapd_pictures(np.full((32, 32, 3), 100, np.uint8), "sharpen", 2, 0.5)
    assert [s.shape for _, s in stages] == [(32, 32)] * 3 + [(16, 16)] * 2
    assert stages[2][1].min() >= 0                                        # after ReLU


def test_dropout_mask_drops_about_the_rate_and_keeps_the_expected_sum():
    mask = lessons.dropout_mask((200, 200), 0.4, seed=1)
    assert abs((mask == 0).mean() - 0.4) < 0.02
    assert abs(mask.mean() - 1.0) < 0.03 and set(np.unique(mask)) == {0.0, 1 / 0.6}
    with pytest.raises(ValueError):
        lessons.dropout_mask((2, 2), 1.0)


def test_the_overfitting_lessons_trainer_links_name_real_presets_and_fill_the_form():
    from streamlit.testing.v1 import AppTest

    from cnnweb import train

    assert set(lessons.TRAINER_PRESETS) <= set(train.PRESETS)
    preset = lessons.TRAINER_PRESETS[1]
    at = AppTest.from_file(str(paths.ROOT / "pages" / "trainer.py"), default_timeout=60)
    at.query_params["preset"] = preset
    at.run()
    assert not at.exception
    assert at.session_state["tr_preset"] == preset
    assert at.session_state["tr_dropout"] == train.PRESETS[preset]["dropout"] == 0.4
    assert at.session_state["tr_epochs"] == train.PRESETS[preset]["epochs"]


def test_overfitting_lesson_reads_the_shipped_seed_002_run_and_its_verdict():
    run = lessons.overfit_run()
    assert run["epochs"] == len(run["meta"]["history"]["val_loss"]) >= 8
    assert run["verdict"]["verdict"] == "overfitting"
    assert run["verdict"]["began_epoch"] == run["best_epoch"] + 1
    early = lessons.overfit_run(3)
    assert len(early["rows"]) == 3 and early["verdict"]["verdict"] != "overfitting"
    # one epoch past the best is a hint, not yet a sustained signal: the slider shows both
    first_rise = lessons.overfit_run(run["best_epoch"] + 1)["verdict"]
    assert first_rise["verdict"] in ("not clear yet", "good")
    assert lessons.SEED002["after"] > 0.72 > lessons.SEED002["before"]    # the seed's goal


# ---------------------------------------------------------------- pages under AppTest

def _page_text(at) -> str:
    from google.protobuf import text_format

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            yield text_format.MessageToString(proto, as_utf8=True)
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    return "\n".join(walk(at._tree))


def _run(page: str, lang: str, **params):
    return open_page(page, lang=lang, params=params, check=False)


PAGES = [("home", {}), ("explainer", {}), ("explainer", {"view": "Receptive field"}),
         ("explainer", {"view": "Pooling and filters"}), ("trainer", {}), ("gallery", {}),
         ("predict", {})] + [("lessons", {"lesson": name}) for name in lessons.LESSONS]


@pytest.mark.parametrize("lang", list(i18n.LANGS))
@pytest.mark.parametrize("page,params", PAGES)
def test_every_page_and_lesson_renders_in_every_language_without_raw_keys(page, params, lang):
    at = _run(page, lang, **params)
    assert not at.exception, [e.value for e in at.exception]
    text = _page_text(at)
    assert not RAW_KEY.findall(text), RAW_KEY.findall(text)[:5]
    heading = at.title[0].value
    if lang == "zh" and page != "home":
        assert CJK.search(heading), heading
    if page == "lessons":
        assert heading == i18n.t("les.title", lang=lang)
        step = re.compile(rf"les\.{params['lesson']}\.s\d")
        steps = [k for k in i18n.CATALOGUES[lang] if step.fullmatch(k)]
        assert len(steps) >= 3
        assert [h.value for h in at.subheader] == [
            f"{n}. " + i18n.t(f"les.{params['lesson']}.s{n}", lang=lang)
            for n in range(1, len(steps) + 1)]


def test_the_next_lesson_button_walks_through_every_lesson_and_back_to_the_first():
    at = _run("lessons", "en", lesson=lessons.LESSONS[0])   # (AppTest cannot click past a
    # selectbox whose format_func translates: it looks the raw value up among the labels)
    seen = []
    for _ in lessons.LESSONS:
        seen.append(at.session_state["les_pick"])
        at.button[-1].click().run()
        assert not at.exception
    assert seen == list(lessons.LESSONS) and at.session_state["les_pick"] == lessons.LESSONS[0]


def test_a_chinese_link_to_a_tab_opens_it_in_english_and_the_other_way_round():
    at = _run("explainer", "en", view=i18n.t("xp.tab_rf", lang="zh"))
    assert any("receptive field of" in m.value for m in at.markdown)
    at = _run("explainer", "zh", view="Receptive field")
    assert any("的感受野是" in m.value for m in at.markdown)


def test_presentation_view_collapses_the_builder_and_enlarges_the_text():
    at = _run("explainer", "en", present="true")
    assert not at.exception
    assert not at.expander[0].proto.expanded
    assert i18n.t("xp.caption") not in [c.value for c in at.caption]        # fewer words
    plain = _run("explainer", "en")
    assert plain.expander[0].proto.expanded
    assert i18n.t("xp.caption") in [c.value for c in plain.caption]


# ---------------------------------------------------------------- markdown keeps every character

def test_catalogue_texts_have_no_accidental_markdown():
    """Bold (**…**) and code spans (`…`) are meant; a lone * or _, a $ (KaTeX), ~ or a
    [link](…) in a sentence would eat characters or turn into markup ("16*16*6" -> "16166")."""
    stray = re.compile(r"[*$~`]|\[[^\]]*\]\(|(?<![\w.])_|_(?![\w.])")
    for lang, cat in i18n.CATALOGUES.items():
        for key, text in cat.items():
            rest = re.sub(r"`[^`]+`", "", re.sub(r"\*\*[^*]+\*\*", "", text))
            assert not stray.search(rest), (lang, key, text)


def test_gallery_shows_a_zoo_note_with_markdown_characters_as_written(monkeypatch):
    import dataclasses

    from cnnweb import zoo

    note = "16*16*6 inputs x 128, see [this](http://example.com) and $x^2$"
    arch = zoo._ARCHS["baseline"]
    monkeypatch.setitem(zoo._ARCHS, "baseline", dataclasses.replace(arch, notes=note))
    at = _run("gallery", "en")
    at.selectbox(key="gallery_arch").set_value("baseline").run()
    assert not at.exception
    (info,) = [i.value for i in at.info if "inputs x 128" in i.value]
    assert info.endswith(ui.md_text(note)) and r"16\*16\*6" in info and r"\$x^2\$" in info
    # and the shipped note itself now says what it means without any markup at all
    assert "16×16×6 inputs × 128" in arch.notes and not re.search(r"[*$`\[\]_<>]", arch.notes)
