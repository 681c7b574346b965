"""Learning-rate schedules as functions of the epoch."""

import math
import pickle

import pytest

import glassnet as gn


def test_closed_forms():
    assert [gn.Constant(0.1)(t) for t in (0, 5)] == [0.1, 0.1]
    # α0 / (1 + decay·t)
    assert gn.InverseTime(1.0, decay=0.5)(4) == pytest.approx(1 / 3)
    # α0 / (t + 1)^p
    assert gn.InverseScaling(1.0, power=0.5)(3) == pytest.approx(0.5)
    # α0 · drop^⌊t/every⌋
    assert [gn.StepDecay(1.0, drop=0.5, every=10)(t) for t in (0, 9, 10, 25)] == [1, 1, 0.5, 0.25]
    assert gn.Exponential(2.0, gamma=0.9)(2) == pytest.approx(2 * 0.81)
    cos = gn.Cosine(1.0, total=10, lr_min=0.1)
    assert cos(0) == pytest.approx(1.0)
    assert cos(5) == pytest.approx(0.55)
    assert cos(10) == pytest.approx(0.1) and cos(20) == pytest.approx(0.1)


def test_reduce_on_plateau_divides_by_five_after_patience_bad_epochs():
    s = gn.ReduceOnPlateau(1.0, factor=0.2, patience=2, threshold=0.01)
    assert s(0) == 1.0
    s.observe(1.0)  # improvement over ∞
    s.observe(0.995)  # not better by 0.01: 1 bad epoch
    assert s(2) == 1.0
    s.observe(0.999)  # 2 bad epochs → η ← 0.2·η
    assert s(3) == pytest.approx(0.2)
    s.observe(0.5)  # improvement resets the count
    s.observe(0.5)
    assert s(5) == pytest.approx(0.2)


def test_schedules_by_name_pickle_and_validate():
    s = gn.get_schedule("cosine", 0.1, total=50)
    assert pickle.loads(pickle.dumps(s))(25) == pytest.approx(0.05)
    assert "Cosine(lr0=0.1" in repr(s)
    with pytest.raises(ValueError, match="valid schedules are"):
        gn.get_schedule("warmup", 0.1)
    with pytest.raises(ValueError, match="lr0 must be a positive number"):
        gn.Constant(-0.1)
    assert math.isclose(gn.get_schedule(lambda t: 0.3, 0.1)(7), 0.3)
