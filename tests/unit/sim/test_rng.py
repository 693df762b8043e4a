"""Tests of the seed tree (rex_cli.sim.rng)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from rex_cli.sim.rng import BitGenerator, Purpose, SeedTree, key_part_to_int


@pytest.mark.parametrize("bit_generator", list(BitGenerator))
def test_each_bit_generator_runs_and_reproduces(bit_generator: BitGenerator) -> None:
    a = SeedTree(123, bit_generator).generator("wind", 0).random(5)
    b = SeedTree(123, bit_generator).generator("wind", 0).random(5)
    np.testing.assert_array_equal(a, b)
    assert np.all((a >= 0) & (a < 1))


def test_bit_generators_give_different_streams() -> None:
    draws = {bg: SeedTree(1, bg).generator("load", 2).random(4).tobytes() for bg in BitGenerator}
    assert len(set(draws.values())) == len(BitGenerator)


def test_same_key_same_stream_regardless_of_call_order() -> None:
    t1 = SeedTree(7)
    t2 = SeedTree(7)
    # t2 asks for other streams first: must not matter (no stateful spawn()).
    t2.generator("market")
    t2.generator("wind", 5)
    np.testing.assert_array_equal(
        t1.generator("forecast", 3).standard_normal(8),
        t2.generator("forecast", 3).standard_normal(8),
    )


def test_same_key_twice_gives_fresh_copies() -> None:
    tree = SeedTree(7)
    np.testing.assert_array_equal(
        tree.generator("plant", 1).random(3), tree.generator("plant", 1).random(3)
    )


def test_different_keys_differ() -> None:
    tree = SeedTree(7)
    keys = [("wind", 0), ("wind", 1), ("load", 0), ("forecast", 0), ("wind",), ("arrivals", 0)]
    draws = {k: tree.generator(*k).random(4).tobytes() for k in keys}
    assert len(set(draws.values())) == len(keys)


def test_different_seeds_differ() -> None:
    a = SeedTree(1).generator("wind", 0).random(4)
    b = SeedTree(2).generator("wind", 0).random(4)
    assert not np.array_equal(a, b)


def test_matches_explicit_seed_sequence_derivation() -> None:
    key = SeedTree.spawn_key("wind", 4)
    expected = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(entropy=99, spawn_key=key))
    ).random(3)
    np.testing.assert_array_equal(SeedTree(99).generator("wind", 4).random(3), expected)


def test_string_parts_are_stable_crc32() -> None:
    # zlib.crc32(b"wind") is a fixed constant, the same in every process and platform.
    assert key_part_to_int("wind") == 0x210B54FE
    assert key_part_to_int(Purpose.WIND) == key_part_to_int("wind")
    assert key_part_to_int(17) == 17


def test_same_stream_in_a_subprocess() -> None:
    code = (
        "import json; from rex_cli.sim.rng import SeedTree;"
        "print(json.dumps(SeedTree(2024).generator('forecast', 11).random(6).tolist()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    here = SeedTree(2024).generator("forecast", 11).random(6).tolist()
    assert json.loads(out) == here


def test_keys_used_and_describe_are_json_able() -> None:
    tree = SeedTree(5, BitGenerator.PHILOX)
    tree.generator("wind", 0)
    tree.generator("wind", 0)
    tree.generator("load", 1)
    assert tree.keys_used() == [("wind", 0), ("load", 1)]
    desc = tree.describe(include_keys=True)
    text = json.dumps(desc)
    back = json.loads(text)
    assert back["seed"] == 5
    assert back["bit_generator"] == "philox"
    assert back["entropy"] == 5
    assert back["keys_used"] == [["wind", 0], ["load", 1]]
    rebuilt = SeedTree.from_description(back)
    np.testing.assert_array_equal(
        rebuilt.generator("wind", 0).random(3), SeedTree(5, "philox").generator("wind", 0).random(3)
    )


def test_os_entropy_is_recorded_and_reproducible() -> None:
    tree = SeedTree(None)
    assert tree.seed is None
    again = SeedTree.from_description(tree.describe())
    np.testing.assert_array_equal(
        tree.generator("market").random(3), again.generator("market").random(3)
    )


def test_generators_helper_matches_single_keys() -> None:
    tree = SeedTree(3)
    gens = tree.generators("load", 3)
    for i, g in enumerate(gens):
        np.testing.assert_array_equal(g.random(2), tree.generator("load", i).random(2))


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((-1,), "seed"),
        ((1.5,), "seed"),
        ((1, "xorshift"), "bit_generator"),
    ],
)
def test_bad_construction_raises(args: tuple[object, ...], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SeedTree(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", [(), (-1,), (2**32,), (True,), (1.0,)])
def test_bad_keys_raise(key: tuple[object, ...]) -> None:
    with pytest.raises(ValueError, match="key"):
        SeedTree(1).generator(*key)  # type: ignore[arg-type]
