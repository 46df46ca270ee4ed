"""course_utils.lab.models: the lab's networks and their argument checks."""

from __future__ import annotations

import pytest

from course_utils import lab

keras = lab.keras


def test_the_lecture_and_modern_networks():
    lecture = lab.lecture_model(seed=0)
    assert lecture.count_params() == 25_450
    assert [layer.name for layer in lecture.layers] == ["dense_1", "output"]
    modern = lab.modern_model(seed=0)
    assert modern.layers[0].activation is keras.activations.relu
    again = lab.lecture_model(seed=0)
    for a, b in zip(lecture.get_weights(), again.get_weights(), strict=True):
        assert (a == b).all()                                  # seeded initial weights
    bn = lab.build_mlp((16, 16), batch_norm=True, dropout=0.2, seed=0)
    names = [layer.name for layer in bn.layers]
    assert names[:4] == ["dense_1", "bn_1", "act_1", "dropout_1"]
    assert bn.layers[0].use_bias is False                      # BN's shift replaces the bias
    assert bn.layers[-1].dtype_policy.compute_dtype == "float32"


@pytest.mark.parametrize(("call", "message"), [
    (lambda: lab.build_mlp((32,), dropout=1.5), r"dropout must be in \[0, 0.99\]"),
    (lambda: lab.build_mlp((32,), dropout=[0.1, 0.2]), "dropout must be a single real number"),
    (lambda: lab.build_mlp((0,)), r"hidden\[i\] must be an integer in \[1, inf\]"),
    (lambda: lab.build_mlp((8,), n_classes=1), r"n_classes must be an integer in \[2, inf\]"),
    (lambda: lab.augmentation(shift=0.8), r"shift must be in \[0, 0.5\]"),
])
def test_invalid_arguments_raise_value_error_naming_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()
