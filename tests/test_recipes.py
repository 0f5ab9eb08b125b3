"""The time-to-accuracy recipes' networks (cnnweb_mnist_fast, cnnweb_cifar_fast): parameter
counts worked out by hand, layer by layer, against Keras and against zoo's own table."""

import pytest

from cnnweb import summary, zoo

keras = pytest.importorskip("keras")


def _bn(c):
    return 4 * c                    # gamma, beta, moving mean, moving variance


HAND = {
    # conv 3x3x1->32 (no bias), BN; conv 3x3x32->64, BN; 28->26->13->11->5: dense 5*5*64 -> 10
    ("cnnweb_mnist_fast", (28, 28, 1)): 9 * 1 * 32 + _bn(32) + 9 * 32 * 64 + _bn(64)
                                        + 5 * 5 * 64 * 10 + 10,
    # two convs per block (same padding, no bias) with BN: 3->16->16, 16->32->32, 32->64->64;
    # GAP: dense 64 -> 10
    ("cnnweb_cifar_fast", (32, 32, 3)): 9 * 3 * 16 + _bn(16) + 9 * 16 * 16 + _bn(16)
                                        + 9 * 16 * 32 + _bn(32) + 9 * 32 * 32 + _bn(32)
                                        + 9 * 32 * 64 + _bn(64) + 9 * 64 * 64 + _bn(64)
                                        + 64 * 10 + 10,
}


@pytest.mark.parametrize("name, shape", list(HAND))
def test_recipe_networks_have_the_hand_counted_parameters(name, shape):
    model = zoo.build(name, shape, 10)
    assert model.count_params() == HAND[name, shape]
    assert summary.totals(summary.layer_table(model))["params"] == HAND[name, shape]
    assert model.output.shape[-1] == 10 and zoo.info(name)["input_shape"] == shape


def test_recipe_width_scales_the_convolutions():
    eight = zoo.build("cnnweb_cifar_fast", (32, 32, 3), 10, width=8).count_params()
    assert eight == (9 * 3 * 8 + 9 * 8 * 8 + 9 * 8 * 16 + 9 * 16 * 16 + 9 * 16 * 32 + 9 * 32 * 32
                     + 2 * (_bn(8) + _bn(16) + _bn(32)) + 32 * 10 + 10)
    same = zoo.build("cnnweb_cifar", (32, 32, 3), 10, width=16).count_params()
    assert same == HAND["cnnweb_cifar_fast", (32, 32, 3)]       # the shipped net, half width
    with_drop = zoo.build("cnnweb_mnist_fast", (28, 28, 1), 10, dropout=0.3)
    assert [la.rate for la in with_drop.layers if la.name == "flat_drop"] == [0.3]
