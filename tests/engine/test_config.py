import json

import pytest

from engine.config import RunConfig
from engine.errors import ConfigError


def test_json_round_trip_keeps_every_value():
    cfg = RunConfig(family="vae").with_overrides(["train.lr=0.0003", "model.latent_dim=8", "data.name=circles"])
    again = RunConfig.from_json(cfg.to_json())
    assert again.to_dict() == cfg.to_dict()
    assert again.train.lr == pytest.approx(3e-4)
    assert again.model.latent_dim == 8
    assert again.data.name == "circles"


@pytest.mark.parametrize("key,value,field,accepted", [
    ("train.lr", "-1", "train.lr", "number from"),
    ("train.batch_size", "0", "train.batch_size", "integer from 1"),
    ("train.device", "tpu", "train.device", "one of 'auto'"),
    ("model.latent_dim", "2.5", "model.latent_dim", "integer"),
    ("train.amp", "maybe", "train.amp", "true or false"),
    ("data.normalize", "whiten", "data.normalize", "'standardize'"),
])
def test_bad_values_name_field_value_and_what_is_accepted(key, value, field, accepted):
    with pytest.raises(ConfigError) as info:
        RunConfig().with_overrides([f"{key}={value}"])
    msg = str(info.value)
    assert msg.startswith(field)
    assert value.strip('"') in msg
    assert accepted in msg


def test_unknown_keys_are_rejected_with_the_known_ones_listed():
    d = RunConfig().to_dict()
    d["train"]["learning_rate"] = 0.1
    with pytest.raises(ConfigError) as info:
        RunConfig.from_dict(d)
    assert "train.learning_rate" in str(info.value) and "lr" in str(info.value)


def test_unknown_family_and_bad_json():
    with pytest.raises(ConfigError, match="family"):
        RunConfig.from_dict({"family": "rbm"})
    with pytest.raises(ConfigError, match="valid JSON"):
        RunConfig.from_json("{not json")


def test_unqualified_set_key_is_resolved_when_unambiguous():
    cfg = RunConfig().with_overrides(["lr=0.01", "beta=2"])
    assert cfg.train.lr == 0.01 and cfg.model.beta == 2.0
    with pytest.raises(ConfigError, match="seed"):
        RunConfig().with_overrides(["seed=3"])  # both data.seed and train.seed


def test_non_finite_numbers_are_rejected():
    d = json.loads(RunConfig().to_json())
    d["train"]["lr"] = float("nan")
    with pytest.raises(ConfigError, match="finite"):
        RunConfig.from_dict(d)


def test_family_training_defaults_follow_a_family_change_unless_changed_by_hand():
    vae = RunConfig(family="vae")
    assert vae.train.lr == 3e-3  # the VAE's own default
    other = vae.with_family("gan") if "gan" in _families() else None
    if other is not None:
        assert other.train.lr != 3e-3 or "lr" in _defaults("gan")
    vae.train.lr = 5e-3
    assert vae.with_family("vae").train.lr == 5e-3


def _families():
    from engine.models.registry import available_families
    return available_families()


def _defaults(family):
    from engine.config import family_train_defaults
    return family_train_defaults(family)
