"""Text data: the built-in names, a person's own UTF-8 files, and every hostile file refused by name and line."""

import os

import pytest
import torch

from engine.catalogue import builtin_names
from engine.config import DataConfig
from engine.data import load_dataset
from engine.data.text import END_SHOWN, decode_tokens, encode_lines
from engine.errors import DataError


def _load(path, **kw):
    return load_dataset(DataConfig(name=str(path), **kw))


def test_names_is_built_in_and_split_the_same_way_every_time():
    assert "names" in builtin_names()
    a, b = load_dataset(DataConfig(name="names")), load_dataset(DataConfig(name="names", seed=7))
    assert a.spec.kind == "text" and a.spec.vocab == tuple("abcdefghijklmnopqrstuvwxyz")
    assert a.spec.shape == (16,) and a.spec.vocab_size == 27           # 15 characters + the end token
    assert len(a.x_train) + len(a.x_test) == 32033 and len(a.x_test) == 1000
    assert torch.equal(a.x_test, b.x_test) and torch.equal(a.x_train, b.x_train)
    lines = decode_tokens(a.x_train, a.spec.vocab)
    assert all(line and line.isalpha() and line.islower() for line in lines)
    assert not set(lines) & set(decode_tokens(a.x_test, a.spec.vocab)) - set(lines)  # rows decode to what they hold
    assert (a.x_train[:, -1] == 0).all()                                  # the longest line keeps its end token


def test_the_names_notice_ships_with_the_copy():
    from engine.resources import resource_path
    notice = resource_path("datasets", "names.SOURCE.txt").read_text()
    assert "public domain" in notice and "makemore" in notice
    assert "names" in resource_path("licences", "datasets.txt").read_text()


def test_own_file_chinese_lines_and_a_seeded_split(tmp_path):
    path = tmp_path / "poems.txt"
    lines = ["床前明月光", "疑是地上霜", "举头望明月", "低头思故乡", "白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼",
             "春眠不觉晓", "处处闻啼鸟", "夜来风雨声", "花落知多少"]
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n\r\n", encoding="utf-8")
    ds = _load(path, seed=3)
    assert ds.spec.kind == "text" and ds.spec.shape == (6,)
    assert set(ds.spec.vocab) == set("".join(lines))
    got = decode_tokens(torch.cat([ds.x_train, ds.x_test]), ds.spec.vocab)
    assert sorted(got) == sorted(lines)
    again = _load(path, seed=3)
    other = _load(path, seed=4)
    assert torch.equal(ds.x_test, again.x_test) and not torch.equal(ds.x_test, other.x_test)


def test_a_txt_of_numbers_still_loads_as_points(tmp_path):
    path = tmp_path / "pts.txt"
    path.write_text("".join(f"{i * 0.1} {i % 7 * 0.3}\n" for i in range(30)))
    assert _load(path).spec.kind == "points"


def test_round_trip_of_tokens_and_strings():
    vocab = tuple("abc")
    x = encode_lines(["abc", "", "ca"], vocab, 5)
    assert x.tolist() == [[1, 2, 3, 0, 0], [0, 0, 0, 0, 0], [3, 1, 0, 0, 0]]
    assert decode_tokens(x, vocab) == ["abc", "", "ca"]
    with pytest.raises(DataError, match="'d' is not in"):
        encode_lines(["ad"], vocab, 5)
    assert END_SHOWN


@pytest.mark.parametrize("content, expected", [
    (b"", "is empty"),
    (b"\n  \n\t\n", "is empty"),
    (b"anna\nbo\x00b\n", "line 2: contains a NUL byte"),
    (b"anna\nbob\n\xff\xfe broken\n", "line 3: is not valid UTF-8"),
    (b"anna\nb\x1bob\n", "line 2: contains the control character U\\+001B"),
    (b"onlyone\n", "at least 2"),
    (b"anna\n" + b"x" * 300 + b"\n", "line 2: has 300 characters; lines may have at most 256"),
])
def test_hostile_files_are_refused_naming_the_file_and_line(tmp_path, content, expected):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(DataError, match=expected) as info:
        _load(path)
    assert str(path) in str(info.value)


def test_caps_have_overrides(tmp_path):
    long = tmp_path / "long.txt"
    long.write_text("anna\n" + "x" * 300 + "\n")
    assert _load(long, max_length=400).spec.shape == (401,)
    with pytest.raises(DataError, match="line 2: has 300 characters; data.max_length is 100"):
        _load(long, max_length=100)
    many = tmp_path / "alphabet.txt"
    many.write_text("\n".join(chr(0x4E00 + i) * 3 for i in range(300)) + "\n")
    with pytest.raises(DataError, match="uses 300 distinct characters; at most 100 are allowed"):
        _load(many, max_vocab=100)
    assert _load(many, max_vocab=300).spec.vocab_size == 301
    with pytest.raises(DataError, match="more than 50 examples"):
        _load(many, max_items=50)


def test_a_file_that_is_not_regular_is_refused_without_blocking(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="not a regular file"):
        _load(fifo)


def test_a_huge_file_is_refused_after_a_bounded_read(tmp_path, monkeypatch):
    import engine.data.text as text
    monkeypatch.setattr(text, "MAX_TEXT_BYTES", 1000)
    path = tmp_path / "big.txt"
    path.write_text("abcdefghi\n" * 200)
    with pytest.raises(DataError, match="too large"):
        _load(path)
