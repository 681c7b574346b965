"""Behaviour of glassnet.data: generators, splitting, scaling, encoding and file loading."""

import numpy as np
import pytest

from glassnet import data
from glassnet.data import (
    Standardizer,
    blobs,
    circles,
    classification,
    from_one_hot,
    load_csv,
    load_dataset,
    load_npz,
    moons,
    one_hot,
    save_csv,
    spirals,
    standardize,
    train_test_split,
    xor,
)

# ---------------------------------------------------------------- generators

GENERATORS = {
    "xor": (xor, 2, 2),
    "moons": (moons, 2, 2),
    "circles": (circles, 2, 2),
    "spirals": (spirals, 2, 2),
    "blobs": (blobs, 2, 3),
    "classification": (classification, 5, 3),
}


def test_xor_is_the_truth_table():
    X, y = xor(n_samples=4, noise=0.0)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    assert X.dtype == np.float64


def test_xor_labels_follow_the_nearest_corner():
    X, y = xor(n_samples=400, noise=0.1, random_state=0)
    corner = np.round(X).clip(0, 1).astype(int)
    assert np.mean((corner[:, 0] ^ corner[:, 1]) == y) > 0.99
    np.testing.assert_array_equal(np.bincount(y), [200, 200])


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_shapes_and_label_counts(name):
    generator, n_features, n_classes = GENERATORS[name]
    X, y = generator(n_samples=90, noise=0.1, random_state=0)
    assert X.shape == (90, n_features) and X.dtype == np.float64
    assert y.shape == (90,) and y.dtype.kind == "i"
    counts = np.bincount(y, minlength=n_classes)
    assert len(counts) == n_classes
    if name != "classification":  # its labels are flipped at random
        assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", GENERATORS)
def test_generator_seed_reproducible(name):
    generator = GENERATORS[name][0]
    X1, y1 = generator(n_samples=50, noise=0.2, random_state=42)
    X2, y2 = generator(n_samples=50, noise=0.2, random_state=42)
    X3, _ = generator(n_samples=50, noise=0.2, random_state=43)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_generator_accepts_a_generator_as_random_state():
    X1, _ = moons(20, noise=0.1, random_state=np.random.default_rng(5))
    X2, _ = moons(20, noise=0.1, random_state=5)
    np.testing.assert_array_equal(X1, X2)


def test_moons_without_noise_lie_on_unit_half_circles():
    X, y = moons(n_samples=101, noise=0.0)
    np.testing.assert_array_equal(np.bincount(y), [50, 51])
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-12)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12


def test_circles_radii():
    X, y = circles(n_samples=60, factor=0.3)
    r = np.hypot(*X.T)
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)


def test_spirals_many_arms_inside_unit_disc():
    X, y = spirals(n_samples=300, n_classes=3, noise=0.2, random_state=0)
    np.testing.assert_array_equal(np.bincount(y), [100, 100, 100])
    assert np.hypot(*X.T).max() <= 1.0 + 1e-12


def test_blobs_with_given_centers_and_noise_alias():
    centers = np.array([[0.0, 0.0, 0.0], [10.0, 10.0, 10.0]])
    X, y = blobs(n_samples=2000, centers=centers, noise=0.5, random_state=0)
    assert X.shape == (2000, 3)
    for k in range(2):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centers[k], atol=0.1)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, atol=0.05)
    with pytest.raises(ValueError, match="cluster_std"):
        blobs(noise=0.5, cluster_std=2.0)


def test_classification_structure():
    X, y = classification(
        n_samples=3000, n_features=7, n_informative=3, n_classes=4, class_sep=2.0, random_state=0
    )
    # centroids sit on distinct vertices of the cube [-2, 2]^3
    centroids = np.array([X[y == k, :3].mean(axis=0) for k in range(4)])
    np.testing.assert_allclose(np.abs(centroids), 2.0, atol=0.2)
    assert len(np.unique(np.sign(centroids), axis=0)) == 4
    # 2 redundant columns are exact linear mixtures of the informative ones
    _, residual, *_ = np.linalg.lstsq(X[:, :3], X[:, 3:5], rcond=None)
    assert residual.max() < 1e-18
    # the last 2 columns are unrelated noise
    np.testing.assert_allclose(X[:, 5:].std(axis=0), 1.0, atol=0.05)


def test_classification_noise_flips_labels():
    _, y_clean = classification(n_samples=2000, random_state=1)
    _, y_noisy = classification(n_samples=2000, noise=0.3, random_state=1)
    changed = np.mean(y_clean != y_noisy)
    assert 0.15 < changed < 0.25  # 30% redrawn, a third of those land on their old label


@pytest.mark.parametrize(
    "call, word",
    [
        (lambda: xor(n_samples=0), "n_samples"),
        (lambda: moons(n_samples=2.5), "n_samples"),
        (lambda: circles(noise=-1), "noise"),
        (lambda: circles(factor=1.5), "factor"),
        (lambda: spirals(n_classes=1), "n_classes"),
        (lambda: classification(n_informative=6, n_features=5), "n_informative"),
        (lambda: classification(n_informative=2, n_classes=5), "n_classes"),
        (lambda: classification(noise=1.5), "noise"),
        (lambda: xor(random_state="seed"), "random_state"),
        (
            lambda: moons(n_samples=10**10),
            r"n_samples must be at most 10,000,000 \(glassnet.data.MAX_SAMPLES\)",
        ),
        (lambda: blobs(n_samples=data.MAX_SAMPLES + 1), "at most 10,000,000"),
    ],
)
def test_generator_validation(call, word):
    with pytest.raises(ValueError, match=word):
        call()


# ---------------------------------------------------------------- splitting


def test_stratified_split_keeps_proportions():
    y = np.repeat([0, 1, 2], [70, 25, 5])
    X = np.arange(100).reshape(-1, 1)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    assert len(X_test) == 30 and len(X_train) == 70
    for k, count in enumerate([70, 25, 5]):
        assert abs(np.sum(y_test == k) - 0.3 * count) <= 1
        assert np.sum(y_train == k) >= 1 and np.sum(y_test == k) >= 1
    # the split is a partition of the rows, and X stays aligned with y
    np.testing.assert_array_equal(np.sort(np.concatenate([X_train, X_test]).ravel()), np.arange(100))
    np.testing.assert_array_equal(y[X_test.ravel()], y_test)


def test_stratified_split_keeps_a_rare_class_on_both_sides():
    y = np.array(["a"] * 18 + ["b"] * 2)
    _, _, y_train, y_test = train_test_split(np.zeros((20, 2)), y, test_size=0.1, random_state=3)
    assert set(y_train) == set(y_test) == {"a", "b"}


def test_split_seeded_and_int_test_size():
    X, y = moons(50, noise=0.1, random_state=0)
    a = train_test_split(X, y, test_size=10, random_state=7)
    b = train_test_split(X, y, test_size=10, random_state=7)
    assert len(a[1]) == 10
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)


def test_split_float_targets_are_not_stratified_and_stratify_true_checks():
    X = np.arange(10.0).reshape(-1, 1)
    y = np.arange(10.0)  # regression: auto mode does a plain split
    _, X_test, _, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    np.testing.assert_array_equal(X_test.ravel(), y_test)
    with pytest.raises(ValueError, match="only 1 sample"):
        train_test_split(X, np.arange(10), stratify=True)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(test_size=1.5), "test_size"),
        (dict(test_size=0), "test_size"),
        (dict(test_size=10), "test_size"),
    ],
)
def test_split_validation(kwargs, word):
    with pytest.raises(ValueError, match=word):
        train_test_split(np.zeros((10, 2)), np.zeros(10), **kwargs)


def test_split_mismatched_and_empty():
    with pytest.raises(ValueError, match="different numbers of samples"):
        train_test_split(np.zeros((10, 2)), np.zeros(9))
    with pytest.raises(ValueError, match="at least 2 samples"):
        train_test_split(np.zeros((0, 2)), np.zeros(0))


# ---------------------------------------------------------------- scaling


def test_standardize_fits_on_train_only():
    X_train = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [6.0, 60.0]])
    X_test = np.array([[3.0, 0.0]])
    Z_train, Z_test, scaler = standardize(X_train, X_test)
    np.testing.assert_allclose(Z_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z_train.std(axis=0), 1.0, atol=1e-12)
    # train mean (3, 30), population std (sqrt(3.5), sqrt(350))
    np.testing.assert_allclose(scaler.mean_, [3.0, 30.0])
    np.testing.assert_allclose(scaler.scale_, [np.sqrt(3.5), np.sqrt(350.0)])
    np.testing.assert_allclose(Z_test, [[0.0, -30.0 / np.sqrt(350.0)]])
    np.testing.assert_allclose(scaler.inverse_transform(Z_test), X_test)


def test_standardizer_float32_and_constant_column():
    X = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]], dtype=np.float32)
    Z = Standardizer().fit_transform(X)
    assert Z.dtype == np.float32
    assert np.isfinite(Z).all()
    np.testing.assert_array_equal(Z[:, 1], 0.0)
    # a constant that float rounding does not average exactly
    X = np.full((7, 1), 0.1)
    scaler = Standardizer().fit(X)
    assert scaler.scale_[0] == 1.0
    np.testing.assert_allclose(scaler.transform(X), 0.0, atol=1e-15)


def test_standardizer_errors():
    with pytest.raises(ValueError, match="not fitted"):
        Standardizer().transform(np.zeros((2, 2)))
    scaler = Standardizer().fit(np.random.default_rng(0).normal(size=(5, 3)))
    with pytest.raises(ValueError, match="3"):
        scaler.transform(np.zeros((2, 2)))


# ---------------------------------------------------------------- encoding


def test_one_hot_round_trip_with_strings():
    y = np.array(["dog", "cat", "bird", "cat"])
    Y, classes = one_hot(y)
    np.testing.assert_array_equal(classes, ["bird", "cat", "dog"])
    np.testing.assert_array_equal(Y, [[0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 1, 0]])
    assert Y.dtype == np.float64
    np.testing.assert_array_equal(from_one_hot(Y, classes), y)


def test_one_hot_with_given_classes():
    Y, classes = one_hot([2, 0], classes=[0, 1, 2])
    np.testing.assert_array_equal(Y, [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(from_one_hot(Y), [2, 0])
    with pytest.raises(ValueError, match="'fish'"):
        one_hot(["cat", "fish"], classes=["cat", "dog"])


@pytest.mark.parametrize(
    "y, bad",
    [
        ([0, np.nan], "NaN"),
        ([0.0, 1.0, np.inf], "infinite"),
        (np.array(["cat", np.nan], dtype=object), "NaN"),
    ],
)
def test_one_hot_refuses_nan_and_infinite_labels(y, bad):
    with pytest.raises(ValueError, match=f"^y contains {bad} values, which cannot be class labels$"):
        one_hot(y)


def test_one_hot_refuses_nan_classes_and_labels_of_mixed_types():
    with pytest.raises(ValueError, match="^classes contains NaN values, which cannot be class labels$"):
        one_hot([0, 1], classes=[0, 1, np.nan])
    with pytest.raises(
        ValueError, match="^y mixes labels of types that cannot be sorted together: NoneType, int$"
    ):
        one_hot(np.array([1, None, 2], dtype=object))


def test_stratified_split_refuses_nan_labels():
    with pytest.raises(ValueError, match="y contains NaN values"):
        train_test_split(np.zeros((6, 1)), [0.0, 1.0, np.nan, 0.0, 1.0, np.nan], stratify=True)


# ---------------------------------------------------------------- datasets by name


@pytest.mark.parametrize(
    "name, shape",
    [
        ("iris", (150, 4)),
        ("digits", (1797, 64)),
        ("wine", (178, 13)),
        ("breast_cancer", (569, 30)),
        ("diabetes", (442, 10)),
    ],
)
def test_load_dataset_shapes(name, shape):
    X, y, feature_names, target_names = load_dataset(name, return_names=True)
    assert X.shape == shape and X.dtype == np.float64
    assert y.shape == (shape[0],)
    assert len(feature_names) == shape[1]
    assert (target_names is None) == (name == "diabetes")


def test_load_dataset_generator_and_unknown_name():
    X, y = load_dataset("moons", n_samples=30, noise=0.1, random_state=0)
    np.testing.assert_array_equal(X, moons(30, noise=0.1, random_state=0)[0])
    with pytest.raises(ValueError, match="iris.*xor|xor.*iris"):
        load_dataset("mnist")


# ---------------------------------------------------------------- files


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_header_detected_and_target_by_name(tmp_path):
    path = write(tmp_path, "a,b,label\n1,2,0\n3,4.5,1\n\n5,6,1\n")
    X, y, names = load_csv(path, target="label")
    np.testing.assert_array_equal(X, [[1, 2], [3, 4.5], [5, 6]])
    np.testing.assert_array_equal(y, [0.0, 1.0, 1.0])
    assert y.dtype == np.float64 and names == ["a", "b"]
    # the target can sit anywhere
    X, y, names = load_csv(path, target="a")
    assert names == ["b", "label"]
    np.testing.assert_array_equal(y, [1, 3, 5])


def test_csv_without_header_and_string_labels(tmp_path):
    path = write(tmp_path, "5.1,3.5,setosa\n6.2,2.9,versicolor\n")
    X, y, names = load_csv(path, target=-1)
    np.testing.assert_array_equal(X, [[5.1, 3.5], [6.2, 2.9]])
    np.testing.assert_array_equal(y, ["setosa", "versicolor"])
    assert names == ["x0", "x1"]


def test_csv_string_target_with_header(tmp_path):
    path = write(tmp_path, "length;species\n1.5;cat\n2.5;dog\n")
    X, y, names = load_csv(path, target="species", delimiter=";")
    assert y.dtype.kind == "U" and names == ["length"]


def test_csv_errors(tmp_path):
    bad = write(tmp_path, "height,colour,label\n1.0,2,0\n2.0,red,1\n")
    with pytest.raises(ValueError, match=r"'colour'.*'red'") as info:
        load_csv(bad, target="label")
    assert "line 3" in str(info.value)
    with pytest.raises(ValueError, match=r"'species' not found.*height, colour, label"):
        load_csv(bad, target="species")
    with pytest.raises(ValueError, match="not found"):
        load_csv(tmp_path / "missing.csv", target="label")
    with pytest.raises(ValueError, match="empty"):
        load_csv(write(tmp_path, "\n\n", "empty.csv"), target=0)
    with pytest.raises(ValueError, match="line 3"):
        load_csv(write(tmp_path, "a,b\n1,2\n3\n", "ragged.csv"), target="b")


def test_save_csv_round_trip(tmp_path):
    X = np.random.default_rng(0).normal(size=(5, 3))
    y = np.array(["a", "b", "a", "c", "b"])
    path = save_csv(tmp_path / "out.csv", X, y, feature_names=["p", "q", "r"], target_name="kind")
    X2, y2, names = load_csv(path, target="kind")
    np.testing.assert_array_equal(X2, X)  # floats are written exactly
    np.testing.assert_array_equal(y2, y)
    assert names == ["p", "q", "r"]
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temp file left behind


def test_npz_and_npy(tmp_path):
    X, y = blobs(20, random_state=0)
    np.savez(tmp_path / "d.npz", X=X, y=y)
    X2, y2 = load_npz(tmp_path / "d.npz")
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
    with pytest.raises(ValueError, match=r"'labels'.*X, y"):
        load_npz(tmp_path / "d.npz", y_key="labels")
    np.save(tmp_path / "x.npy", X)
    X3, y3 = load_npz(tmp_path / "x.npy")
    np.testing.assert_array_equal(X3, X)
    assert y3 is None


def test_npz_refuses_pickled_objects(tmp_path):
    np.savez(tmp_path / "o.npz", X=np.array([{"a": 1}], dtype=object), y=np.zeros(1))
    with pytest.raises(ValueError, match="Python objects"):
        load_npz(tmp_path / "o.npz")


def one_line(error, path):
    """A clear error: one line naming the file, short whatever the file held."""
    message = str(error.value)
    assert str(path) in message and "\n" not in message and len(message) < 300, message
    return message


def test_csv_that_is_not_utf8_names_the_byte_and_its_position(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("a,b,label\n1,2,caf\xe9\n".encode("latin-1"))
    with pytest.raises(
        ValueError, match=r"is not UTF-8 text \(byte 0xe9 at position 17\); save it as UTF-8"
    ) as e:
        load_csv(path, target="label")
    one_line(e, path)
    # past the first MiB the position is still the file's, not the decoder's chunk's
    path.write_bytes(b"a,b\n" + b"1,2\n" * 300_000 + b"3,\xff\n")
    with pytest.raises(ValueError, match=r"byte 0xff at position 1,200,006\)"):
        load_csv(path, target="b")
    # an Excel byte-order mark is not an error
    path.write_bytes(b"\xef\xbb\xbfa,b\n1,2\n3,4\n")
    assert load_csv(path, target="b")[2] == ["a"]


def test_csv_field_beyond_the_csv_modules_limit(tmp_path):
    path = write(tmp_path, "a,b\n1,2\n3," + "7" * 200_000 + "\n5,6\n", "wide.csv")
    with pytest.raises(ValueError, match=r"wide.csv, line 3: a field is longer than 131,072 characters") as e:
        load_csv(path, target="b")
    one_line(e, path)


def test_csv_duplicate_column_names_are_refused(tmp_path):
    path = write(tmp_path, "a,b,a,label,b\n1,2,3,0,5\n4,5,6,1,7\n", "dup.csv")
    with pytest.raises(
        ValueError, match=r"duplicate column names: 'a', 'b'; give each column its own name"
    ) as e:
        load_csv(path, target="label")
    one_line(e, path)
    # without a header, positions name the columns and repeated values are data
    X, y, names = load_csv(write(tmp_path, "1,1,0\n2,2,1\n", "nohead.csv"), target=-1)
    assert names == ["x0", "x1"] and X.tolist() == [[1, 1], [2, 2]]


def test_glassnet_train_refuses_a_csv_with_duplicate_columns(tmp_path, capsys):
    from glassnet import cli

    path = write(tmp_path, "x,x,label\n" + "".join(f"{i},{-i},{i % 2}\n" for i in range(20)), "dup.csv")
    with pytest.raises(SystemExit) as exc:
        cli.main(["train", "--csv", str(path), "--target", "label", "--out", str(tmp_path / "run"), "-q"])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 1 and err.startswith("error: ") and len(err.splitlines()) == 1
    assert "duplicate column names: 'x'" in err


def test_csv_size_bounds(tmp_path, monkeypatch):
    path = write(tmp_path, "a,b\n" + "1,2\n" * 10, "rows.csv")
    monkeypatch.setattr(data.tables, "MAX_CSV_CELLS", 20)
    with pytest.raises(ValueError, match="has more than 20 fields; load_csv reads up to that many"):
        load_csv(path, target="b")
    monkeypatch.setattr(data.tables, "MAX_CSV_CELLS", 22)
    assert load_csv(path, target="b")[0].shape == (10, 1)
    monkeypatch.setattr(data.tables, "MAX_CSV_BYTES", 2**20)
    path.write_text("a,b\n" + "1,2\n" * 300_000)
    with pytest.raises(
        ValueError, match=r"is 1 MiB; load_csv reads files up to 1 MiB \(save larger data as .npz\)"
    ):
        load_csv(path, target="b")
    assert data.tables.MAX_CSV_CELLS == 22 and data.tables.MAX_CSV_BYTES == 2**20
    monkeypatch.undo()
    assert (data.tables.MAX_CSV_BYTES, data.tables.MAX_CSV_CELLS) == (256 * 2**20, 10_000_000)


def test_csv_errors_never_echo_a_huge_value(tmp_path):
    path = write(tmp_path, "a,label\n" + "x" * 100_000 + ",1\n", "long.csv")
    with pytest.raises(ValueError, match="feature column 'a' has the non-numeric value 'xxx") as e:
        load_csv(path, target="label")
    one_line(e, path)
    names = ",".join(f"column{i}" for i in range(1000))
    path = write(tmp_path, names + "\n" + ",".join("1" * 1000) + "\n", "many.csv")
    with pytest.raises(ValueError, match=r"columns are: column0, .* \(990 more\)") as e:
        load_csv(path, target="y" * 10_000)
    one_line(e, path)
    with pytest.raises(ValueError, match="delimiter must be one character"):
        load_csv(path, target=0, delimiter=";;")


@pytest.mark.parametrize(
    "damage, phrase",
    [
        ("truncate", "is corrupted or truncated (BadZipFile"),
        ("flip", "is corrupted or truncated (BadZipFile: Bad CRC-32 for file 'X.npy')"),
        ("text", "is not an .npz archive"),
        ("empty", "is not an .npz archive"),
    ],
)
def test_damaged_npz_files_are_clear_errors(tmp_path, damage, phrase):
    np.savez(tmp_path / "d.npz", X=np.arange(40.0).reshape(20, 2), y=np.arange(20))
    raw = bytearray((tmp_path / "d.npz").read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "flip":
        raw[200] ^= 0xFF  # inside X's numbers: the zip CRC notices
    path = tmp_path / "damaged.npz"
    path.write_bytes(b"x,y\n1,2\n" if damage == "text" else b"" if damage == "empty" else bytes(raw))
    with pytest.raises(ValueError) as e:
        load_npz(path)
    assert phrase in one_line(e, path)


def test_npz_with_many_arrays_lists_a_few_in_the_error(tmp_path):
    np.savez(tmp_path / "m.npz", **{f"a{i}": np.zeros(1) for i in range(30)})
    with pytest.raises(ValueError, match=r"no array named 'X'; it holds: a0, a1, .* \(20 more\)") as e:
        load_npz(tmp_path / "m.npz")
    one_line(e, tmp_path / "m.npz")


def test_module_exports():
    for name in data.__all__:
        assert hasattr(data, name)


@pytest.mark.parametrize(
    ("Y", "message"),
    [
        (np.zeros((3, 0)), r"with at least one class, got shape \(3, 0\)"),
        ([[np.nan, 1.0], [1.0, 0.0]], "Y contains NaN or infinite scores"),
        ([["a", "b"]], "Y must hold numbers"),
    ],
)
def test_from_one_hot_refuses_scores_it_cannot_read(Y, message):
    # NaN made argmax pick the NaN column; no column gave "argmax of an empty sequence".
    with pytest.raises(ValueError, match=message):
        from_one_hot(Y)
