"""TensorBoard event files: written by hand, read back with both CRCs checked, and (where protobuf is
installed) decoded by protobuf itself against TensorFlow's Event/Summary field numbers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.tensorboard import CorruptEventFile, EventWriter, crc32c, masked_crc, read_events
from tests.engine.runs_helpers import tiny_config, train

ROOT = Path(__file__).resolve().parents[2]


def test_crc32c_check_values():
    assert crc32c(b"123456789") == 0xE3069283            # the CRC-32C catalogue's check value
    assert crc32c(b"") == 0
    assert crc32c(bytes(32)) == 0x8A9136AA                 # RFC 3720 B.4: 32 bytes of zeros
    assert masked_crc(b"") == 0xA282EAD8


def test_scalars_and_images_read_back(tmp_path):
    with EventWriter(tmp_path, wall_time=1000.0) as w:
        w.add_scalars(10, {"train/loss": 1.5, "eval/nll": -2.25}, wall_time=1001.0)
        w.add_png(20, "samples", b"\x89PNG fake", 8, 16, 3, wall_time=1002.0)
    files = list(tmp_path.glob("events.out.tfevents.*"))
    assert len(files) == 1
    ev = read_events(files[0])
    assert ev[0]["file_version"] == "brain.Event:2" and ev[0]["wall_time"] == 1000.0
    assert ev[1]["step"] == 10 and ev[1]["scalars"] == {"train/loss": 1.5, "eval/nll": -2.25}
    assert ev[2]["images"]["samples"] == {"height": 8, "width": 16, "colorspace": 3, "png": b"\x89PNG fake"}


def test_a_flipped_byte_is_caught(tmp_path):
    with EventWriter(tmp_path) as w:
        w.add_scalars(1, {"a": 1.0})
    path = next(tmp_path.glob("events.out.tfevents.*"))
    data = bytearray(path.read_bytes())
    data[-6] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptEventFile, match="CRC"):
        read_events(path)


def _protobuf_classes():
    """Event and Summary from TensorFlow's event.proto/summary.proto field numbers, built at run time."""
    pb = pytest.importorskip("google.protobuf")
    del pb
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    f = descriptor_pb2.FileDescriptorProto(name="tb_check.proto", package="tbcheck")
    T = descriptor_pb2.FieldDescriptorProto
    def msg(name, fields):
        m = f.message_type.add(name=name)
        for fname, number, ftype, label, type_name in fields:
            fd = m.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                fd.type_name = type_name
    opt, rep = T.LABEL_OPTIONAL, T.LABEL_REPEATED
    msg("Image", [("height", 1, T.TYPE_INT32, opt, None), ("width", 2, T.TYPE_INT32, opt, None),
                  ("colorspace", 3, T.TYPE_INT32, opt, None), ("encoded_image_string", 4, T.TYPE_BYTES, opt, None)])
    msg("Value", [("tag", 1, T.TYPE_STRING, opt, None), ("simple_value", 2, T.TYPE_FLOAT, opt, None),
                  ("image", 4, T.TYPE_MESSAGE, opt, ".tbcheck.Image")])
    msg("Summary", [("value", 1, T.TYPE_MESSAGE, rep, ".tbcheck.Value")])
    msg("Event", [("wall_time", 1, T.TYPE_DOUBLE, opt, None), ("step", 2, T.TYPE_INT64, opt, None),
                  ("file_version", 3, T.TYPE_STRING, opt, None), ("summary", 5, T.TYPE_MESSAGE, opt, ".tbcheck.Summary")])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("tbcheck.Event"))


def test_a_run_with_tensorboard_on_writes_events_protobuf_reads(tmp_path):
    cfg = tiny_config("vae", data="digits", steps=30, log_every=10, sample_every=10)
    cfg.train.tensorboard = True
    train(cfg, tmp_path / "run")
    files = list((tmp_path / "run" / "tensorboard").glob("events.out.tfevents.*"))
    assert len(files) == 1
    events = read_events(files[0])
    scalars = [e for e in events if e["scalars"]]
    assert [e["step"] for e in scalars if "train/loss" in e["scalars"]] == [10, 20, 30]
    assert all("grad_norm/main" in e["scalars"] for e in scalars if "train/loss" in e["scalars"])
    assert any("eval/test_nll_nats" in e["scalars"] for e in scalars)
    images = [e for e in events if e["images"]]
    assert images and images[-1]["images"]["samples"]["png"].startswith(b"\x89PNG")

    Event = _protobuf_classes()
    import struct
    buf, i, seen = files[0].read_bytes(), 0, 0
    while i < len(buf):
        (n,) = struct.unpack("<Q", buf[i:i + 8])
        ev = Event.FromString(buf[i + 12:i + 12 + n])
        mine = events[seen]
        assert ev.step == mine["step"]
        for v in ev.summary.value:
            if v.HasField("image"):
                assert v.image.encoded_image_string == mine["images"][v.tag]["png"]
            else:
                assert v.simple_value == pytest.approx(mine["scalars"][v.tag])
        i, seen = i + 16 + n, seen + 1
    assert seen == len(events)


def test_export_of_an_existing_run(tmp_path):
    cfg = tiny_config("vae", steps=20, log_every=10, sample_every=10)
    train(cfg, tmp_path / "run")
    assert not (tmp_path / "run" / "tensorboard").exists()       # off by default
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, str(ROOT / "main.py"), "export", "--run", str(tmp_path / "run"), "--what", "tensorboard",
           "-o", str(tmp_path / "tb")]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    events = read_events(next((tmp_path / "tb").glob("events.out.tfevents.*")))
    assert [e["step"] for e in events if "train/loss" in e["scalars"]] == [10, 20]
    pngs = sorted((tmp_path / "run" / "samples").glob("step_*.png"))
    assert len([e for e in events if e["images"]]) == len(pngs) >= 2
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 2 and "already holds TensorBoard event files" in again.stderr
