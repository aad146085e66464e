from __future__ import annotations

import pytest
from imagerelay._runtime.errors import InvalidRequestError, SizeLookupError
from imagerelay._runtime.sizes import Size, SizeTable

VIP = SizeTable(
    name="gpt-image-2-vip",
    tiers=("1K", "2K", "4K"),
    rows={
        "1:1": {"1K": Size(1024, 1024), "2K": Size(2048, 2048), "4K": Size(2880, 2880)},
        "16:9": {"1K": Size(1280, 720), "2K": Size(2048, 1152), "4K": Size(3840, 2160)},
        "1:3": {"2K": Size(688, 2048), "4K": Size(1280, 3840)},
    },
)
ONE_TIER = SizeTable(
    "gpt-image-2", ("1K",), {"1:1": {"1K": Size(1024, 1024)}, "16:9": {"1K": Size(1672, 941)}}
)


def test_size_str_and_parse() -> None:
    assert str(Size(1024, 768)) == "1024x768"
    assert Size.parse("1024x768") == Size(1024, 768)
    assert Size.parse(" 64 X 32 ") == Size(64, 32)
    assert Size(3, 4).pixels == 12
    with pytest.raises(ValueError, match="not a WIDTHxHEIGHT size: '16:9'"):
        Size.parse("16:9")


def test_lookup() -> None:
    assert VIP.lookup("16:9", "4K") == Size(3840, 2160)
    assert ONE_TIER.lookup("16:9") == Size(1672, 941)


def test_lookup_unknown_ratio_lists_allowed() -> None:
    with pytest.raises(SizeLookupError) as caught:
        VIP.lookup("4:3", "1K")
    assert isinstance(caught.value, KeyError) and isinstance(caught.value, InvalidRequestError)
    assert str(caught.value) == (
        "invalid size (1 problem): ratio '4:3' is not in size table 'gpt-image-2-vip'; allowed: 1:1, 16:9, 1:3"
    )


def test_lookup_missing_tier_lists_tiers_of_that_row() -> None:
    with pytest.raises(KeyError) as caught:
        VIP.lookup("1:3", "1K")
    assert str(caught.value).endswith(
        "tier '1K' is not offered for ratio '1:3' in size table 'gpt-image-2-vip'; allowed: 2K, 4K"
    )


def test_ratios_sizes_ratio_of_tier_of() -> None:
    assert VIP.ratios() == ["1:1", "16:9", "1:3"]
    assert [str(s) for s in VIP.sizes()] == [
        "1024x1024",
        "2048x2048",
        "2880x2880",
        "1280x720",
        "2048x1152",
        "3840x2160",
        "688x2048",
        "1280x3840",
    ]
    assert VIP.ratio_of("3840x2160") == "16:9"
    assert VIP.ratio_of(Size(1280, 3840)) == "1:3"
    assert VIP.ratio_of("1000x1000") is None
    assert VIP.tier_of("2048x1152") == "2K"


def test_tokens_and_families() -> None:
    table = SizeTable(
        "flash",
        ("1K",),
        {"1:1": {"1K": Size(1024, 1024)}},
        tokens={"1:1": 1290},
        families=("flash",),
    )
    assert table.tokens_for("1:1") == 1290
    assert table.tokens_for("16:9") is None
    assert table.families == ("flash",)
    assert VIP.tokens_for("1:1") is None
