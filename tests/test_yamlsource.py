"""The line-keeping YAML loader: safe_load semantics plus lines, duplicates and limits."""

from __future__ import annotations

import pytest
import yaml

from tsedash.registry import RegistryError
from tsedash.registry.yamlsource import LineDict, LineList, line_of, load_yaml

DOC = """\
# comment
base: &base {unit: short, type: counter}
metrics:
  - <<: *base
    name: a_total
  - <<: *base
    name: b_total
    type: gauge
when: 2024-01-01
flag: yes
"""


def test_same_values_as_safe_load() -> None:
    data, problems, root_line = load_yaml(DOC, "f")
    assert problems == []
    assert root_line == 2
    assert data == yaml.safe_load(DOC)


def test_lines_of_keys_and_items() -> None:
    data, _, _ = load_yaml(DOC, "f")
    assert isinstance(data, LineDict) and isinstance(data["metrics"], LineList)
    assert data.key_lines["metrics"] == 3
    assert data["metrics"].item_lines == [4, 6]
    assert line_of(data, ["metrics", 1, "type"]) == 8
    assert line_of(data, ["metrics", 1, "missing"]) == 6  # deepest existing element
    assert line_of(data, ["metrics", 9]) == 3


def test_merged_key_overridden_locally_is_not_a_duplicate() -> None:
    data, problems, _ = load_yaml(DOC, "f")
    assert problems == []
    assert data["metrics"][1]["type"] == "gauge"


def test_unsafe_tags_are_refused() -> None:
    with pytest.raises(RegistryError) as info:
        load_yaml("x: !!python/object/apply:os.system ['true']\n", "f.yaml")
    assert info.value.problems[0].line == 1
    assert "could not determine a constructor" in info.value.problems[0].message


def test_multiple_documents_are_refused() -> None:
    with pytest.raises(RegistryError) as info:
        load_yaml("a: 1\n---\nb: 2\n", "f.yaml")
    assert "single document" in info.value.problems[0].message


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    text = "a: " + "[" * 3000 + "]" * 3000 + "\n"
    with pytest.raises(RegistryError) as info:
        load_yaml(text, "f.yaml")
    assert "nested deeper than 200 levels" in str(info.value)
