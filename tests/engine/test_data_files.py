"""A person's own files: image folders, .npy/.npz, IDX, CSV points, each on good and bad inputs.

Every file here is real and written to tmp_path; messages must name the file and the problem.
"""

from __future__ import annotations

import gzip
import io
import json
import struct

import numpy as np
import pytest
import torch
from PIL import Image

from engine.config import DataConfig, RunConfig
from engine.data import LoadCancelled, load_dataset
from engine.errors import DataError

RNG = np.random.default_rng(0)


def noise(h, w, c=None):
    shape = (h, w) if c is None else (h, w, c)
    return RNG.integers(0, 256, shape, dtype=np.uint8)


def load(path, **kw):
    return load_dataset(DataConfig(name=str(path), **kw))


def make_photo_folder(root):
    """Mixed sizes and modes in two class folders, plus a truncated JPEG, a damaged PNG, a text file
    and a hidden file."""
    (root / "cats").mkdir(parents=True)
    (root / "dogs").mkdir()
    Image.fromarray(noise(30, 50, 3)).save(root / "cats" / "a.jpg", quality=95)
    Image.fromarray(noise(64, 64)).save(root / "cats" / "b.png")
    Image.fromarray(noise(20, 20, 4), "RGBA").save(root / "cats" / "c.png")
    Image.fromarray(noise(40, 30, 3)).save(root / "dogs" / "d.bmp")
    Image.fromarray(noise(33, 33, 3)).save(root / "dogs" / "e.webp")
    frames = [Image.fromarray(noise(25, 25)).convert("P") for _ in range(2)]
    frames[0].save(root / "dogs" / "f.gif", save_all=True, append_images=frames[1:])
    good_jpg = (root / "cats" / "a.jpg").read_bytes()
    (root / "cats" / "truncated.jpg").write_bytes(good_jpg[: len(good_jpg) // 2])
    png = bytearray((root / "cats" / "b.png").read_bytes())
    idat = png.index(b"IDAT")
    png[idat + 40] ^= 0xFF  # damage inside the compressed pixels
    (root / "dogs" / "damaged.png").write_bytes(bytes(png))
    (root / "dogs" / "notes.txt").write_text("not a picture")
    (root / ".DS_Store").write_bytes(b"\x00\x01junk")


def test_photo_folder_loads_rgb_32_fit_and_lists_each_bad_file(tmp_path):
    make_photo_folder(tmp_path / "photos")
    ds = load(tmp_path / "photos")
    assert ds.spec.kind == "image" and ds.spec.shape == (3, 32, 32) and ds.spec.levels == 256
    assert len(ds.x_train) + len(ds.x_test) == 6
    reasons = {p.split("/")[-1]: r for p, r in ds.skipped}
    assert set(reasons) == {"truncated.jpg", "damaged.png", "notes.txt"}
    assert "truncated" in reasons["truncated.jpg"]
    assert "corrupt" in reasons["damaged.png"]
    assert "not an image" in reasons["notes.txt"]
    assert ds.spec.class_names == ("cats", "dogs") and ds.spec.num_classes == 2
    summary = ds.summary()
    assert [c["count"] for c in summary["classes"]] == [3, 3]
    assert len(summary["skipped"]) == 3 and summary["shape"] == [3, 32, 32]
    assert any("32x32" in n for n in ds.notes) and any("RGB" in n for n in ds.notes)
    assert ds.preparation["resize"] == "fit" and ds.preparation["alpha"] == "composited onto black"
    torch.testing.assert_close(ds.x_train * 255, torch.round(ds.x_train * 255))  # exact grey levels


def test_strict_mode_stops_at_the_first_bad_file(tmp_path):
    make_photo_folder(tmp_path / "photos")
    with pytest.raises(DataError, match="strict mode") as info:
        load(tmp_path / "photos", strict=True)
    assert "truncated.jpg" in str(info.value) or "notes.txt" in str(info.value) or "damaged.png" in str(info.value)


def test_same_size_grey_folder_keeps_size_and_exact_pixels(tmp_path):
    pixels = [noise(12, 10) for _ in range(5)]
    for i, p in enumerate(pixels):
        Image.fromarray(p).save(tmp_path / f"{i}.png")
    ds = load(tmp_path, seed=3)
    assert ds.spec.shape == (1, 12, 10) and ds.y_train is None
    every = torch.cat([ds.x_train, ds.x_test])[:, 0].mul(255).round().to(torch.uint8).numpy()
    assert sorted(map(bytes, every)) == sorted(map(bytes, pixels))
    assert not ds.notes


def test_gif_loads_its_first_frame(tmp_path):
    first, second = np.full((16, 16), 40, np.uint8), np.full((16, 16), 200, np.uint8)
    first[0, 0] = 0
    frames = [Image.fromarray(first), Image.fromarray(second)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    Image.fromarray(noise(16, 16)).save(tmp_path / "other.png")
    ds = load(tmp_path)
    pix = torch.cat([ds.x_train, ds.x_test]).mul(255).round()
    assert any(float(p[0, 5, 5]) == 40.0 for p in pix)


@pytest.mark.parametrize("policy,rows_black", [("fit", 0), ("crop", 0), ("pad", 4)])
def test_resize_policies_on_a_wide_white_image(tmp_path, policy, rows_black):
    Image.fromarray(np.full((20, 40), 255, np.uint8)).save(tmp_path / "wide.png")
    Image.fromarray(np.full((16, 16), 128, np.uint8)).save(tmp_path / "square.png")
    ds = load(tmp_path, image_size=16, resize=policy)
    x = torch.cat([ds.x_train, ds.x_test])
    wide = x[x.flatten(1).max(1).values == 1.0][0, 0]
    if rows_black:
        assert float(wide[:rows_black].max()) == 0.0 and float(wide[-rows_black:].max()) == 0.0
        assert float(wide[rows_black:-rows_black].min()) > 0.9
    else:
        assert float(wide.min()) > 0.9


def test_resize_none_skips_other_sizes_and_strict_rejects(tmp_path):
    for i in range(3):
        Image.fromarray(noise(10, 10)).save(tmp_path / f"{i}.png")
    Image.fromarray(noise(12, 10)).save(tmp_path / "odd.png")
    ds = load(tmp_path, resize="none")
    assert ds.spec.shape == (1, 10, 10)
    assert [(p.split("/")[-1], "differs" in r) for p, r in ds.skipped] == [("odd.png", True)]
    with pytest.raises(DataError, match="odd.png"):
        load(tmp_path, resize="none", strict=True)


def test_channel_settings_and_sixteen_bit_pixels(tmp_path):
    Image.fromarray(noise(8, 8, 3)).save(tmp_path / "rgb.png")
    sixteen = np.full((8, 8), 257 * 100, dtype=np.uint16)
    sixteen[0, 0] = 65535
    Image.fromarray(sixteen).save(tmp_path / "deep.png")
    ds = load(tmp_path, channels=1)
    assert ds.spec.shape == (1, 8, 8)
    values = set(torch.cat([ds.x_train, ds.x_test]).mul(255).round().flatten().tolist())
    assert {100.0, 255.0} <= values
    assert load(tmp_path, channels=4).spec.shape == (4, 8, 8)


def test_empty_folders_and_folders_without_images(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="empty"):
        load(tmp_path / "empty")
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("a")
    (tmp_path / "texts" / "b.jpg").write_text("not really a jpeg")
    with pytest.raises(DataError, match="none of its 2 files is a readable image"):
        load(tmp_path / "texts")
    Image.fromarray(noise(8, 8)).save(tmp_path / "single.png")
    with pytest.raises(DataError, match="single image"):
        load(tmp_path / "single.png")


def test_too_many_files_is_refused_before_decoding(tmp_path):
    for i in range(5):
        Image.fromarray(noise(8, 8)).save(tmp_path / f"{i}.png")
    with pytest.raises(DataError, match="max_items"):
        load(tmp_path, max_items=3)


def test_progress_reports_and_cancel_stops_a_folder_load(tmp_path):
    for i in range(40):
        Image.fromarray(noise(8, 8)).save(tmp_path / f"{i:02d}.png")
    seen = []
    from engine.data.progress import Reporter
    ds = load_dataset(DataConfig(name=str(tmp_path)), progress=Reporter(lambda *a: seen.append(a), min_interval=0))
    decoding = [(d, t) for d, t, s in seen if s == "decoding images"]
    assert decoding[-1] == (40, 40) and len(decoding) > 10
    assert [d for d, _ in decoding] == sorted(d for d, _ in decoding)
    polls = []

    def cancelled():
        polls.append(1)
        return len(polls) > 45  # after listing and the headers, part-way through decoding

    with pytest.raises(LoadCancelled, match="cancelled"):
        load_dataset(DataConfig(name=str(tmp_path)), cancelled=cancelled)
    assert len(polls) == 46


# ---- arrays ----------------------------------------------------------------------------------------------
def test_npy_layouts_dtypes_and_target_size(tmp_path):
    np.save(tmp_path / "nhwc.npy", noise(6, 6, 3)[None].repeat(4, 0))
    assert load(tmp_path / "nhwc.npy").spec.shape == (3, 6, 6)
    np.save(tmp_path / "nchw.npy", np.transpose(noise(6, 6, 3)[None].repeat(4, 0), (0, 3, 1, 2)).copy())
    assert load(tmp_path / "nchw.npy").spec.shape == (3, 6, 6)
    np.save(tmp_path / "bool.npy", RNG.random((5, 7, 7)) > 0.5)
    assert set(torch.unique(load(tmp_path / "bool.npy").x_train).tolist()) == {0.0, 1.0}
    np.save(tmp_path / "f255.npy", RNG.integers(0, 256, (5, 7, 7)).astype(np.float32))
    assert load(tmp_path / "f255.npy").x_train.max() <= 1.0
    np.save(tmp_path / "digits28.npy", RNG.integers(0, 256, (6, 28, 28), dtype=np.uint8))
    ds = load(tmp_path / "digits28.npy", image_size=16, channels=3)
    assert ds.spec.shape == (3, 16, 16) and any("resized" in n for n in ds.notes)


@pytest.mark.parametrize("array,message", [
    (np.full((4, 5, 5), 300, dtype=np.int32), "0..255"),
    (np.zeros((4, 5, 5, 5), dtype=np.uint8), "C = 1, 3 or 4"),
    (np.array([[0.0, 1.0], [np.inf, 2.0], [3.0, 1.0]]), "NaN or infinite"),
    (np.zeros((3, 3)), "expected (N, 2)"),
    (np.full((4, 5, 5), 7, dtype=np.uint8), "same value"),
    (np.array([[1e300, 0.0], [0.0, 1.0], [2.0, 3.0]]), "rescale"),
    (np.zeros((2, 2), dtype=np.complex64), "dtype"),
    (np.zeros((0, 2)), "empty"),
    (np.zeros((3, 1, 5000, 2), dtype=np.uint8), "out of range"),
])
def test_bad_arrays_name_the_file_and_the_problem(tmp_path, array, message):
    path = tmp_path / "bad.npy"
    np.save(path, array)
    with pytest.raises(DataError) as info:
        load(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_npz_explicit_splits_labels_and_errors(tmp_path):
    x_tr, x_te = noise(10, 10)[None].repeat(8, 0), noise(10, 10)[None].repeat(3, 0)
    np.savez(tmp_path / "split.npz", x_train=x_tr, x_test=x_te, y_train=np.arange(8) % 3, y_test=np.arange(3))
    ds = load(tmp_path / "split.npz")
    assert len(ds.x_train) == 8 and len(ds.x_test) == 3 and ds.spec.num_classes == 3
    np.savez_compressed(tmp_path / "one.npz", images=noise(9, 9)[None].repeat(20, 0), labels=np.arange(20) % 2)
    ds = load(tmp_path / "one.npz")
    assert len(ds.x_train) + len(ds.x_test) == 20 and ds.labelled
    pts = RNG.normal(size=(50, 2))
    np.savez(tmp_path / "pts.npz", x_train=pts[:40], x_test=pts[40:])
    assert load(tmp_path / "pts.npz").spec.kind == "points"
    np.savez(tmp_path / "odd.npz", foo=np.zeros(3), bar=np.ones(3))
    with pytest.raises(DataError, match="expected x_train and x_test"):
        load(tmp_path / "odd.npz")
    np.savez(tmp_path / "badlab.npz", x=noise(9, 9)[None].repeat(5, 0), y=np.array([0, 1, 2, -1, 0]))
    with pytest.raises(DataError, match="labels must lie in"):
        load(tmp_path / "badlab.npz")
    np.savez(tmp_path / "pickled.npz", x=np.array([{"a": 1}], dtype=object))
    with pytest.raises(DataError, match="pickled.npz"):
        load(tmp_path / "pickled.npz")


# ---- IDX ---------------------------------------------------------------------------------------------------
def idx_bytes(arr: np.ndarray) -> bytes:
    code = {np.uint8: 0x08, np.int32: 0x0C, np.float32: 0x0D}[arr.dtype.type]
    head = bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def test_idx_files_plain_and_gzipped(tmp_path):
    images = RNG.integers(0, 256, (30, 7, 9), dtype=np.uint8)
    (tmp_path / "imgs-idx3-ubyte").write_bytes(idx_bytes(images))
    (tmp_path / "imgs.gz").write_bytes(gzip.compress(idx_bytes(images)))
    a, b = load(tmp_path / "imgs-idx3-ubyte"), load(tmp_path / "imgs.gz")
    assert a.spec.shape == (1, 7, 9) and torch.equal(a.x_train, b.x_train)
    got = torch.cat([a.x_train, a.x_test]).mul(255).round().to(torch.uint8).numpy()[:, 0]
    assert sorted(map(bytes, got)) == sorted(map(bytes, images))


def test_idx_damage_is_named(tmp_path):
    good = idx_bytes(RNG.integers(0, 256, (10, 5, 5), dtype=np.uint8))
    cases = {
        "short-idx3-ubyte": (good[:-7], "truncated"),
        "long-idx3-ubyte": (good + b"\x00", "bytes after"),
        "magic.idx": (b"\x01\x02" + good[2:], "not an IDX file"),
        "huge.idx": (bytes([0, 0, 8, 3]) + struct.pack(">3I", 100, 2**20, 2**20), "limit"),
        "labels-idx1-ubyte": (idx_bytes(np.arange(10, dtype=np.uint8)), "1-D"),
        "broken.gz": (gzip.compress(good)[:-30], "cannot be read"),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(DataError) as info:
            load(tmp_path / name)
        assert name in str(info.value) and message in str(info.value), (name, str(info.value))


def test_idx_folder_keeps_its_splits_and_labels(tmp_path):
    tr, te = RNG.integers(0, 256, (12, 6, 6), dtype=np.uint8), RNG.integers(0, 256, (4, 6, 6), dtype=np.uint8)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(tr))
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(te)))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.arange(12, dtype=np.uint8) % 4))
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.arange(4, dtype=np.uint8)))
    ds = load(tmp_path)
    assert torch.equal(ds.x_test[:, 0].mul(255).round().to(torch.uint8), torch.from_numpy(te))
    assert ds.y_train.tolist() == [i % 4 for i in range(12)] and ds.spec.num_classes == 4
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.arange(3, dtype=np.uint8)))
    with pytest.raises(DataError, match="expected 4 labels"):
        load(tmp_path)


# ---- CSV points -------------------------------------------------------------------------------------------
def test_csv_points_with_header_comments_separators_and_labels(tmp_path):
    (tmp_path / "p.csv").write_text("x,y\n# a comment\n0.5, 1\n-2;3.25\n4\t5\n\n7 8\n")
    ds = load(tmp_path / "p.csv")
    allx = torch.cat([ds.x_train, ds.x_test])
    assert ds.spec.kind == "points" and sorted(allx[:, 0].tolist()) == [-2.0, 0.5, 4.0, 7.0]
    (tmp_path / "l.csv").write_text("".join(f"{i},{i * i % 7},{i % 3}\n" for i in range(30)))
    assert load(tmp_path / "l.csv").spec.num_classes == 3


@pytest.mark.parametrize("text,message", [
    ("x,y\n1,2\n3,abc\n", "line 3: 'abc' is not a number"),
    ("1,2\n3,4,5,6\n", "line 2: expected 2 values"),
    ("1,2,3,4\n", "expected 2 columns"),
    ("1,2\n3\n", "line 2"),
    ("1,2\nnan,4\n5,6\n", "NaN"),
    ("1,2\n3,4\n", "too few"),
    ("x,y\n", "holds no points"),
    ("1,2,a\n3,4,b\n5,6,c\n", "label 'a'"),
])
def test_bad_csv_names_file_and_line(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(DataError) as info:
        load(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_binary_file_named_csv_is_refused(tmp_path):
    (tmp_path / "b.csv").write_bytes(b"\x00\xff\x10" * 50)
    with pytest.raises(DataError, match="binary"):
        load(tmp_path / "b.csv")


# ---- the CLI on bad data and on a folder with bad files ---------------------------------------------------
def test_cli_rejects_nan_with_exit_2_and_lists_skipped_files(tmp_path, capsys):
    from engine.cli.main import main
    np.save(tmp_path / "nan.npy", np.array([[0.0, np.nan], [1.0, 2.0], [3.0, 4.0]]))
    assert main(["data", "--data", str(tmp_path / "nan.npy"), "-o", str(tmp_path / "o.npy")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nan.npy" in err[0] and "NaN" in err[0]
    make_photo_folder(tmp_path / "photos")
    assert main(["data", "--data", str(tmp_path / "photos"), "-n", "4", "-o", str(tmp_path / "o.png")]) == 0
    err = capsys.readouterr().err
    assert err.count("genlab: skipped /") == 3 and "notes.txt: not an image" in err


def test_a_dataset_smaller_than_a_batch_trains_samples_and_records_preparation(tmp_path):
    from engine.training.loop import Controls, Trainer
    from engine.events import TrainingFinished
    for i in range(3):
        Image.fromarray(noise(9, 9, 3)).save(tmp_path / f"{i}.png")
    cfg = RunConfig(family="vae")
    cfg.data.name = str(tmp_path)
    cfg.train.steps, cfg.train.batch_size, cfg.train.threads, cfg.train.eval_limit = 3, 256, 1, 10
    trainer = Trainer(cfg, tmp_path / "run")
    assert trainer.batch_size == 2
    events = list(trainer.events(Controls(interactive=False)))
    assert isinstance(events[-1], TrainingFinished) and events[-1].step == 3
    x = trainer.model.sample(4)
    assert x.shape == (4, 3, 9, 9) and torch.isfinite(x).all()
    resolved = json.loads((tmp_path / "run" / "config.json").read_text())["resolved"]
    assert resolved["preparation"]["format"] == "image folder" and resolved["preparation"]["size"] == [9, 9]
