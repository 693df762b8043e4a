"""The canonical table digest: one digest per logical table, whatever its representation.

The digest must not change with a library's version (pandas 2 vs 3, pyarrow) and must
change with any value, row order, column name or column order.
"""

import hashlib
import struct

import numpy as np
import pandas as pd
import pytest

from rex_cli.records.digest import DIGEST_VERSION, column_kind, table_digest


def _base() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time_min": np.array([0.0, 1.5, -0.25, 3.0]),
            "owner": np.array([3, 1, 2, 7], dtype="int64"),
            "side": np.array([1, -1, 1, 0], dtype="int8"),
            "reason": pd.Series(["", "tick", "ü-price", "x"], dtype=object),
            "event": pd.Series(["limit", "fill", "limit", "cancel"], dtype=object),
            "auction": np.array([True, False, False, True]),
        }
    )


REPRESENTATIONS = {
    "object": lambda s: s.astype(object),
    "python-string": lambda s: s.astype("string[python]"),
    "pyarrow-string": lambda s: s.astype("string[pyarrow]"),
    "str": lambda s: s.astype(str),
    "categorical": lambda s: s.astype("category"),
}


@pytest.mark.parametrize("rep", sorted(REPRESENTATIONS))
def test_text_columns_digest_by_value_whatever_the_dtype(rep):
    df = _base()
    other = df.assign(
        reason=REPRESENTATIONS[rep](df["reason"]), event=REPRESENTATIONS[rep](df["event"])
    )
    assert table_digest(other) == table_digest(df)


def test_integer_widths_and_nullable_integers_without_nulls_digest_alike():
    df = _base()
    assert table_digest(df.assign(owner=df["owner"].astype("Int64"))) == table_digest(df)
    assert table_digest(df.assign(side=df["side"].astype("int64"))) == table_digest(df)
    assert table_digest(df.assign(owner=df["owner"].astype("uint16"))) == table_digest(df)


def test_float_widths_bool_and_categorical_numbers_digest_by_value():
    df = _base()
    assert table_digest(df.assign(time_min=df["time_min"].astype("Float64"))) == table_digest(df)
    assert table_digest(df.assign(auction=df["auction"].astype("boolean"))) == table_digest(df)
    assert table_digest(df.assign(owner=df["owner"].astype("category"))) == table_digest(df)
    # float32 holds these values exactly, so it is the same logical column
    assert table_digest(df.assign(time_min=df["time_min"].astype("float32"))) == table_digest(df)


def test_the_parquet_round_trip_keeps_the_digest(tmp_path):
    df = _base().assign(event=lambda d: d["event"].astype("category"))
    df.to_parquet(tmp_path / "t.parquet", index=False)
    assert table_digest(pd.read_parquet(tmp_path / "t.parquet")) == table_digest(df)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.assign(time_min=d["time_min"].where(d.index != 2, -0.5)),
        lambda d: d.assign(owner=d["owner"] + (d.index == 3)),
        lambda d: d.assign(reason=d["reason"].replace("tick", "tock")),
        lambda d: d.assign(auction=~d["auction"]),
        lambda d: d.iloc[[1, 0, 2, 3]].reset_index(drop=True),  # row order
        lambda d: d[list(d.columns[::-1])],  # column order
        lambda d: d.rename(columns={"owner": "buyer"}),
        lambda d: d.iloc[:3],  # a row fewer
        lambda d: d.assign(owner=d["owner"].astype(float)),  # int -> float is another kind
    ],
)
def test_any_change_of_value_order_or_name_changes_the_digest(change):
    df = _base()
    assert table_digest(change(df)) != table_digest(df)


def test_nulls_differ_from_zero_and_from_the_empty_string():
    ints = pd.DataFrame({"a": pd.array([1, 0, 3], dtype="Int64")})
    with_null = pd.DataFrame({"a": pd.array([1, None, 3], dtype="Int64")})
    assert table_digest(ints) != table_digest(with_null)
    text = pd.DataFrame({"s": pd.Series(["a", "", "c"], dtype=object)})
    text_null = pd.DataFrame({"s": pd.Series(["a", None, "c"], dtype=object)})
    assert table_digest(text) != table_digest(text_null)
    # the null marker is representation-proof as well
    as_arrow = text_null.assign(s=text_null["s"].astype("string[pyarrow]"))
    assert table_digest(as_arrow) == table_digest(text_null)


def test_text_boundaries_are_unambiguous():
    a = pd.DataFrame({"s": pd.Series(["ab", "c"], dtype=object)})
    b = pd.DataFrame({"s": pd.Series(["a", "bc"], dtype=object)})
    assert table_digest(a) != table_digest(b)


def test_every_nan_is_one_value():
    quiet = np.frombuffer(struct.pack("<Q", 0x7FF8000000000001), dtype="<f8")
    a = pd.DataFrame({"x": np.array([1.0, np.nan])})
    b = pd.DataFrame({"x": np.array([1.0, quiet[0]])})
    assert table_digest(a) == table_digest(b)


def test_a_hand_encoded_table_gives_the_same_sha256():
    """The encoding written out by hand for a two-row, two-column table."""
    df = pd.DataFrame({"n": np.array([1, -2], dtype="int32"), "s": ["é", ""]})
    h = hashlib.sha256()
    h.update(f"{DIGEST_VERSION}\n2\n2\n".encode())
    h.update(struct.pack("<Q", 1) + b"n" + b":int\n")
    h.update(b"\x00" + struct.pack("<qq", 1, -2))
    h.update(struct.pack("<Q", 1) + b"s" + b":text\n")
    h.update(b"\x00" + struct.pack("<QQ", 2, 0) + "é".encode())
    assert table_digest(df) == h.hexdigest()


def test_columns_without_a_canonical_encoding_are_refused_by_name():
    df = pd.DataFrame({"mixed": pd.Series([1, "a"], dtype=object)})
    with pytest.raises(TypeError, match="'mixed'"):
        table_digest(df)
    assert column_kind(pd.Series([1, None], dtype=object)) == "int"


def test_datetimes_digest_by_instant_whatever_the_unit_or_zone():
    naive = pd.DataFrame({"t": pd.to_datetime(["2026-01-01 00:15", "2026-01-01 00:30"])})
    as_us = naive.assign(t=naive["t"].astype("datetime64[us]"))
    zoned = naive.assign(t=naive["t"].dt.tz_localize("UTC").dt.tz_convert("Europe/Berlin"))
    assert table_digest(as_us) == table_digest(naive) == table_digest(zoned)
    later = naive.assign(t=naive["t"] + pd.Timedelta(seconds=1))
    assert table_digest(later) != table_digest(naive)
