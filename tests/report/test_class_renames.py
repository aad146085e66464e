"""Classes and enums renamed with their structure unchanged (issue 17, item 2): one breaking
"renamed (was X)" line; ambiguous structures are never paired by guess."""

from __future__ import annotations

from dataclasses import replace

from spec_pairs import BASE

from generator.ir.nodes import ClassIR, EnumIR, EnumValueIR, FieldIR, ProviderIR, TypeIR
from generator.pipeline import build_ir
from generator.report.compare import compare_specs
from generator.report.renames import SymbolRenames, find_renames, unambiguous_pairs

_URL = FieldIR("url", "url", TypeIR("string", "str"), False, "", "body")


def _base() -> ProviderIR:
    [provider] = build_ir(BASE)
    return provider


def _cls(name: str, *fields: FieldIR) -> ClassIR:
    return ClassIR(name, "", fields, "RelayModel", "RelayModel")


def _with_classes(provider: ProviderIR, *classes: ClassIR) -> ProviderIR:
    return replace(provider, classes=(*provider.classes, *classes))


def _lines(old: ProviderIR, new: ProviderIR) -> list[tuple[str, str, str]]:
    return [(change.location, change.what, change.severity) for change in compare_specs([old], [new]).changes]


def test_a_class_renamed_with_the_same_fields_is_one_breaking_rename() -> None:
    base = _base()
    old, new = _with_classes(base, _cls("Preview", _URL)), _with_classes(base, _cls("Thumbnail", _URL))
    assert find_renames(old, new).classes == {"Preview": "Thumbnail"}
    assert _lines(old, new) == [("acme.models.Thumbnail", "renamed (was Preview)", "breaking")]


def test_another_required_flag_or_type_is_no_rename() -> None:
    base = _base()
    old = _with_classes(base, _cls("Preview", _URL))
    for other in (replace(_URL, required=True), replace(_URL, type=TypeIR("integer", "int")),
                  replace(_URL, wire_name="href")):
        assert find_renames(old, _with_classes(base, _cls("Thumbnail", other))).classes == {}


def test_several_candidates_of_one_shape_are_left_removed_and_added() -> None:
    base = _base()
    old = _with_classes(base, _cls("A", _URL), _cls("B", _URL))
    new = _with_classes(base, _cls("C", _URL), _cls("D", _URL))
    assert find_renames(old, new).classes == {}
    assert sorted(what for _, what, _ in _lines(old, new)) == ["model class added"] * 2 + ["model class removed"] * 2


def test_classes_without_fields_are_never_paired() -> None:
    base = _base()
    assert find_renames(_with_classes(base, _cls("Empty")), _with_classes(base, _cls("Blank"))).classes == {}


def test_a_class_referring_to_a_renamed_class_is_recognised_too() -> None:
    base = _base()
    inner = FieldIR("preview", "preview", TypeIR("object", "models.Preview", class_name="Preview"), True, "", "body")
    renamed_inner = replace(inner, type=TypeIR("object", "models.Thumbnail", class_name="Thumbnail"))
    old = _with_classes(base, _cls("Preview", _URL), _cls("Card", inner, _URL))
    new = _with_classes(base, _cls("Thumbnail", _URL), _cls("Tile", renamed_inner, _URL))
    assert find_renames(old, new).classes == {"Preview": "Thumbnail", "Card": "Tile"}
    assert sorted(_lines(old, new)) == [("acme.models.Thumbnail", "renamed (was Preview)", "breaking"),
                                        ("acme.models.Tile", "renamed (was Card)", "breaking")]


def test_an_enum_renamed_with_the_same_values_is_one_breaking_rename() -> None:
    base = _base()
    values = (EnumValueIR("low", "", None, ""), EnumValueIR("high", "", None, ""))
    old = replace(base, enums=(*base.enums, EnumIR("Quality", "QUALITY", "", False, values)))
    new = replace(base, enums=(*base.enums, EnumIR("Fidelity", "FIDELITY", "", False, values[::-1])))
    assert find_renames(old, new).enums == {"Quality": "Fidelity"}
    assert [what for _, what, _ in _lines(old, new)] == ["renamed (was Quality)"]


def test_pairs_need_exactly_one_on_each_side() -> None:
    shape = {"a": 1, "b": 1, "c": 2, "x": 1, "y": 2, "z": 3}
    gone = [_cls(name) for name in "abc"]
    added = [_cls(name) for name in "xyz"]
    assert unambiguous_pairs(gone, added, lambda cls: shape[cls.name]) == {"c": "y"}


def test_annotations_follow_renamed_classes_and_enums_only_as_whole_names() -> None:
    renames = SymbolRenames({"Part": "ResponsePart"}, {"Size": "ImageSize"})
    assert renames.annotation("list[models.Part] | models.PartList | catalog.Size") == (
        "list[models.ResponsePart] | models.PartList | catalog.ImageSize")
