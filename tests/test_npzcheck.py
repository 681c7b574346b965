"""Hostile .npz/.npy files: every size is checked before anything is allocated or inflated.

The files are built by hand (zipfile, a .npy header, patched zip directory
fields), kept to a few kB, and each is refused by ``open_npz``/``load_npy``, by
``glassnet.data.load_npz`` and by ``glassnet.persistence.load`` with a one-line
ValueError naming the file, while tracemalloc sees at most a few MB.
"""

import io
import struct
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest

import glassnet as gn
from glassnet import _npzcheck
from glassnet.data import load_npz
from glassnet.persistence import load, save

GiB = 2**30


def npy_bytes(shape, descr="<f8", data=b""):
    """A .npy file: a version 1.0 header naming ``descr`` and ``shape``, then ``data``."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue() + data


def build_zip(path, members):
    """Write ``members`` -- ``(name, payload, method, declared_size)`` -- as a zip file.

    A ``declared_size`` replaces the uncompressed size in the member's local
    header and in the central directory: what a zip bomb lies about.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name", when a test wants one
        for name, payload, method, _ in members:
            zf.writestr(zipfile.ZipInfo(name), payload, compress_type=method)
    raw = bytearray(buf.getvalue())
    eocd = raw.rfind(b"PK\x05\x06")
    pos = struct.unpack_from("<I", raw, eocd + 16)[0]  # the central directory
    for _, _, _, declared in members:
        n_name, n_extra, n_comment = struct.unpack_from("<HHH", raw, pos + 28)
        if declared is not None:
            local = struct.unpack_from("<I", raw, pos + 42)[0]
            struct.pack_into("<I", raw, pos + 24, declared)
            struct.pack_into("<I", raw, local + 22, declared)
        pos += 46 + n_name + n_extra + n_comment
    path.write_bytes(bytes(raw))
    return path


def model_with_member(tmp_path, name, payload, method=zipfile.ZIP_STORED, declared=None):
    """A real saved model whose member ``name`` is replaced by ``payload``."""
    net = gn.Network([2, 3, 1], activations="relu", output="sigmoid", random_state=0)
    real = save(net, tmp_path / "real.npz")
    with zipfile.ZipFile(real) as zf:
        members = [
            (name, payload, method, declared)
            if i.filename == name
            else (i.filename, zf.read(i), zipfile.ZIP_STORED, None)
            for i in zf.infolist()
        ]
    return build_zip(tmp_path / "hostile.npz", members)


def refused(loader, path, *phrases):
    """``loader(path)`` raises one clear ValueError without allocating more than a few MB."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            loader(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert str(path) in message and "\n" not in message and len(message) < 300, message
    for phrase in phrases:
        assert phrase in message, message
    assert peak < 4 * 2**20, peak
    assert path.stat().st_size < 64 * 2**10
    return message


def deflated_zeros_claiming(shape, n_zeros=4096):
    """A deflated .npy member: a header claiming ``shape`` (float64), then only ``n_zeros`` zero bytes."""
    return npy_bytes(shape, data=bytes(n_zeros))


# --------------------------------------------------------------------------- the npy header


@pytest.mark.parametrize(
    "shape, phrase",
    [
        ((2**40,), "claims an array of shape (1099511627776,)"),
        ((2**14, 2**14, 2**14), "claims an array of shape"),
        ((10**8,), "its header describes 800,000,128 bytes, the archive holds 144"),
    ],
)
def test_a_header_claiming_a_huge_shape_is_refused(tmp_path, shape, phrase):
    path = build_zip(
        tmp_path / "X.npz", [("X.npy", npy_bytes(shape, data=bytes(16)), zipfile.ZIP_STORED, None)]
    )
    refused(_npzcheck.open_npz, path, phrase)
    refused(load_npz, path, phrase)
    hostile = model_with_member(tmp_path, "theta.npy", npy_bytes(shape, data=bytes(16)))
    refused(load, hostile, phrase)


def test_a_huge_string_itemsize_counts_as_bytes(tmp_path):
    payload = npy_bytes((8,), descr="<U100000000")  # 8 strings of 400 MB each: 8 entries, 3.2 GB
    path = build_zip(tmp_path / "s.npz", [("X.npy", payload, zipfile.ZIP_STORED, None)])
    refused(load_npz, path, "(8 entries of 400000000 bytes)")


def test_object_and_structured_dtypes_are_refused_from_the_header(tmp_path):
    obj = build_zip(tmp_path / "o.npz", [("X.npy", npy_bytes((3,), descr="|O"), zipfile.ZIP_STORED, None)])
    refused(load_npz, obj, "holds Python objects", "never unpickles")
    rec = build_zip(
        tmp_path / "r.npz",
        [("X.npy", npy_bytes((3,), descr=[("a", "<f8")], data=bytes(24)), zipfile.ZIP_STORED, None)],
    )
    refused(load_npz, rec, "reads only numbers and fixed-width strings")


# --------------------------------------------------------------------------- the zip directory


@pytest.mark.parametrize(
    "declared, phrase",
    [
        (3 * GiB, "is corrupted or a zip bomb"),  # beyond the 2 GiB limit
        (GiB, "102 bytes cannot hold the 1,073,741,824 bytes it claims"),  # within it, but not from 4 kB
    ],
)
def test_a_deflated_member_claiming_gigabytes_is_refused_before_inflating(tmp_path, declared, phrase):
    member = deflated_zeros_claiming(((declared - 128) // 8,))
    path = build_zip(tmp_path / "bomb.npz", [("X.npy", member, zipfile.ZIP_DEFLATED, declared)])
    assert path.stat().st_size < 1024
    refused(_npzcheck.open_npz, path, phrase)
    refused(load_npz, path, phrase)
    refused(load, model_with_member(tmp_path, "theta.npy", member, zipfile.ZIP_DEFLATED, declared), phrase)


def test_a_stored_member_claiming_more_than_the_file_is_refused(tmp_path):
    path = build_zip(
        tmp_path / "s.npz", [("X.npy", npy_bytes((2,), data=bytes(16)), zipfile.ZIP_STORED, 10**6)]
    )
    refused(load_npz, path, "cannot hold the 1,000,000 bytes")


def test_an_honest_compressed_file_loads(tmp_path):
    X = np.zeros((1000, 1000))  # 8 MB of zeros deflate about 1000:1, inside deflate's 1032:1
    X[::7, ::13] = np.arange(1000 // 7 + 1)[:, None]
    np.savez_compressed(tmp_path / "z.npz", X=X, y=np.arange(1000))
    X2, y2 = load_npz(tmp_path / "z.npz")
    assert np.array_equal(X2, X) and np.array_equal(y2, np.arange(1000))
    zeros = np.zeros(2**20)
    np.savez_compressed(tmp_path / "zeros.npz", X=zeros, y=zeros[:3])
    assert np.array_equal(load_npz(tmp_path / "zeros.npz")[0], zeros)


def test_fortran_order_big_endian_and_strings_round_trip(tmp_path):
    X = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    y = np.array(["a", "bb", "ccc"])
    np.savez(tmp_path / "f.npz", X=X, y=y.astype(">U3"))
    X2, y2 = load_npz(tmp_path / "f.npz")
    assert np.array_equal(X2, X) and X2.flags.f_contiguous
    assert y2.tolist() == y.tolist() and y2.dtype == np.dtype(">U3")
    np.save(tmp_path / "b.npy", X.astype(">f4"))
    assert np.array_equal(load_npz(tmp_path / "b.npy")[0], X)


@pytest.mark.parametrize(
    "case, phrase",
    [
        ("not npy", "is not a NumPy array"),
        ("duplicate", "appears twice"),
        ("bzip2", "compression method 12"),
        ("encrypted", "is encrypted"),
    ],
)
def test_strange_members_are_refused(tmp_path, case, phrase):
    good = npy_bytes((2,), data=bytes(16))
    members = {
        "not npy": [("X.txt", b"hello", zipfile.ZIP_STORED, None)],
        "duplicate": [("X.npy", good, zipfile.ZIP_STORED, None)] * 2,
        "bzip2": [("X.npy", good, zipfile.ZIP_BZIP2, None)],
        "encrypted": [("X.npy", good, zipfile.ZIP_STORED, None)],
    }[case]
    path = build_zip(tmp_path / "m.npz", members)
    if case == "encrypted":  # set the "encrypted" flag bit in the central directory
        raw = bytearray(path.read_bytes())
        raw[raw.rfind(b"PK\x01\x02") + 8] |= 1
        path.write_bytes(bytes(raw))
    refused(load_npz, path, phrase)


def test_too_many_members_are_refused(tmp_path):
    members = [(f"a{i}.npy", npy_bytes((0,)), zipfile.ZIP_STORED, None) for i in range(4097)]
    path = build_zip(tmp_path / "many.npz", members)
    with pytest.raises(ValueError, match="holds 4,097 members; glassnet reads at most 4,096"):
        load_npz(path)


# --------------------------------------------------------------------------- .npy files


@pytest.mark.parametrize(
    "data, phrase",
    [
        (bytes(8), "header describes 800,000,128 bytes, the file holds 136"),
        (None, "claims an array of shape (1099511627776,)"),
    ],
)
def test_a_npy_file_is_checked_against_its_size(tmp_path, data, phrase):
    path = tmp_path / "x.npy"
    path.write_bytes(npy_bytes((10**8,), data=data) if data is not None else npy_bytes((2**40,)))
    refused(load_npz, path, phrase)
    path.write_bytes(npy_bytes((2,), data=bytes(8)))
    refused(load_npz, path, "corrupted or truncated")
