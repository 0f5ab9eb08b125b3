"""A network designed in the Explainer (stack:<code>) in the Gallery's architecture view, from a
link and from a stored model trained from one: its layer table's parameters equal Keras'
count_params(). AppTest; the stored model is faked (built, never trained)."""

import pytest

from cnnweb import stack, store, zoo
from tests.helpers import open_page
from tests.zh_words import english_on_page

pytest.importorskip("keras")
pytestmark = [pytest.mark.usefixtures("no_shipped_models"), pytest.mark.filterwarnings("ignore")]

CODE = "stack:conv-k3-f32_max-k2-s2"


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_a_stack_from_a_link_is_shown_with_keras_parameter_counts():
    at = open_page("gallery", params={"arch": CODE}, timeout=120)
    arch = stack.arch_id(*stack.parse_arch(CODE))             # the default head added
    assert at.selectbox(key="gallery_arch").value == arch
    model = zoo.build(arch, (28, 28, 1), 10)
    assert _metric(at, "Total parameters") == f"{model.count_params():,}"
    table = at.dataframe[0].value
    assert int(table["params"].sum()) == model.count_params()
    assert len(table) == len(model.layers)
    assert any(f"`{arch}`" in m.value for m in at.markdown)
    at.radio(key=f"gallery_shape_{arch}").set_value("32×32×3 (CIFAR-10 colour)").run()
    assert not at.exception
    assert _metric(at, "Total parameters") == f"{zoo.build(arch, (32, 32, 3), 10).count_params():,}"
    at.selectbox(key="gallery_arch").set_value("lenet5").run()     # the link chose it once only
    assert _metric(at, "Total parameters") == "62,006"


def test_a_bad_stack_link_is_one_line_and_the_view_still_works():
    at = open_page("gallery", params={"arch": "stack:conv-k3_blob"}, timeout=120)
    (error,) = at.error
    assert "cannot be shown" in error.value and "\n" not in error.value
    assert at.selectbox(key="gallery_arch").value == "mnist_cnn"


def test_a_stored_model_trained_from_a_stack_brings_it_to_the_view_untrained_fake():
    arch = "stack:conv-k3-f8_max-k2-s2_gap"
    model = zoo.build(arch, (20, 20, 1), 2)
    store.save_model(model, "designed_fake", {"arch": arch, "dataset": "shapes",
                                              "input_shape": [20, 20, 1],
                                              "class_names": ["circle", "square"]})
    at = open_page("gallery", timeout=120)
    assert arch in at.selectbox(key="gallery_arch").options or \
        "Your network from the Explainer" in at.selectbox(key="gallery_arch").options
    at.selectbox(key="gallery_arch").set_value(arch).run()
    assert not at.exception
    assert at.radio(key=f"gallery_shape_{arch}").value == "20×20×1"    # the input it was trained on
    at.number_input(key="gallery_classes").set_value(2).run()
    assert _metric(at, "Total parameters") == f"{model.count_params():,}"


def test_a_stack_in_the_chinese_gallery_has_no_english_but_its_code():
    at = open_page("gallery", lang="zh", params={"arch": CODE}, timeout=120)
    arch = stack.arch_id(*stack.parse_arch(CODE))
    assert any("你在“原理演示”页设计的网络" in m.value for m in at.markdown)
    rows = {r for r in at.dataframe[0].value.iloc[:, 0]}           # layer names are ids
    found = english_on_page(at, rows | set(zoo.names()) | set(zoo.application_names()) | {arch})
    assert not found, found
