"""RenderSpec: presets, serialisation, validation, hashing."""

from __future__ import annotations

import json

import pytest

from blender_addon.contract.spec import (
    PRESETS,
    CameraRig,
    CameraView,
    RenderSpec,
    SpecError,
    preset,
)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_round_trip(name: str) -> None:
    spec = preset(name)
    data = json.loads(json.dumps(spec.to_dict()))
    again = RenderSpec.from_dict(data)
    assert again == spec
    assert again.spec_hash() == spec.spec_hash()


def test_default_is_a_four_view_turntable_and_hero_is_one_view() -> None:
    assert preset().preset == "turntable4"
    assert [v.azimuth_deg for v in preset().rig.views] == [0, 90, 180, 270]
    assert len(preset("hero").rig.views) == 1


def test_hash_changes_with_any_field_and_ignores_key_order() -> None:
    base = preset()
    hashes = {
        base.spec_hash(),
        base.with_changes(seed=1).spec_hash(),
        base.with_changes(samples=65).spec_hash(),
        base.with_changes(hdri_rotation_deg=10.0).spec_hash(),
        base.with_changes(rig=CameraRig(base.rig.views, fill=0.8)).spec_hash(),
        base.with_changes(background_rgb=(0.5, 0.5, 0.5)).spec_hash(),
    }
    assert len(hashes) == 6
    shuffled = dict(reversed(list(base.to_dict().items())))
    assert RenderSpec.from_dict(shuffled).spec_hash() == base.spec_hash()


@pytest.mark.parametrize(
    ("mutate", "named"),
    [
        (lambda d: d.update(sampels=3), "sampels"),
        (lambda d: d["rig"].update(fov=30), "fov"),
        (lambda d: d["rig"]["views"][0].update(roll=5), "roll"),
    ],
)
def test_unknown_keys_are_rejected_by_name(mutate, named: str) -> None:
    data = preset().to_dict()
    mutate(data)
    with pytest.raises(SpecError, match=named):
        RenderSpec.from_dict(data)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"samples": 0}, "samples"),
        ({"resolution": (4, 64)}, "resolution"),
        ({"device": "TPU"}, "device"),
        ({"seed": -1}, "seed"),
        ({"rig": CameraRig((CameraView("a", 0, 0), CameraView("a", 90, 0)))}, "unique"),
        ({"rig": CameraRig((CameraView("a", 0, 95),))}, "elevation"),
        ({"denoise_passes": "RGB_NORMAL"}, r"denoise_passes must be one of \('RGB_ALBEDO_NORMAL'"),
        ({"denoise_prefilter": "SLOW"}, r"denoise_prefilter must be one of \('ACCURATE', 'FAST'"),
        ({"denoise_quality": "ULTRA"}, r"denoise_quality must be one of \('HIGH', 'BALANCED'"),
        ({"max_bounces": -1}, "max_bounces must be 0..1024, got -1"),
        ({"diffuse_bounces": 1025}, "diffuse_bounces must be 0..1024"),
        ({"glossy_bounces": -2}, "glossy_bounces must be"),
        ({"transmission_bounces": 2000}, "transmission_bounces must be"),
        ({"transparent_bounces": -1}, "transparent_bounces must be"),
        ({"clamp_indirect": -0.5}, "clamp_indirect must be >= 0"),
        ({"texture_limit": 300}, "texture_limit must be one of"),
    ],
)
def test_invalid_values_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError, match=message):
        preset().with_changes(**changes)


def test_unknown_preset_lists_the_known_ones() -> None:
    with pytest.raises(SpecError, match="turntable4"):
        preset("nope")


def test_the_fill_is_a_share_of_the_frame() -> None:
    views = (CameraView("v", 0, 0),)
    assert CameraRig(views).fill == 0.9
    for bad in (0.0, 0.05, 1.2):
        with pytest.raises(SpecError, match="fill must be in"):
            preset().with_changes(rig=CameraRig(views, fill=bad))


def test_light_path_limits_at_their_bounds_are_valid() -> None:
    spec = preset().with_changes(max_bounces=0, diffuse_bounces=1024, clamp_indirect=0.0,
                                 texture_limit=8192)  # fmt: skip
    assert (spec.max_bounces, spec.diffuse_bounces, spec.texture_limit) == (0, 1024, 8192)
