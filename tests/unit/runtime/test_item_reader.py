"""ItemReader parsing (pure): CSV, JSON, JSONL, listObjectsV2 listings, MaxItems.

Sources named per test:
- [DOC-CSV] AWS developer guide "How Step Functions parses input CSV files".
- [DOC-IR] AWS developer guide "ItemReader (Map)".
- [REC] recorded AWS runs: LocalStack's AWS-validated snapshots
  ``tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json``,
  ``test_map_item_reader_*`` (recorded 21-09-2023).
"""

from __future__ import annotations

import json

import pytest

from interpreter.runtime.item_reader import (
    MAX_ITEMS_LIMIT,
    ItemReaderError,
    csv_items,
    csv_records,
    effective_max_items,
    items_from_text,
    java_hash_order,
    json_items,
    jsonl_items,
    listing_items,
    resolve_pointer,
)

# The CSV of the recorded runs (test_map_item_reader_base_csv_headers_*)
ROWS = "Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n"


# ---------------------------------------------------------------------------------- CSV headers
def test_first_row_headers_as_aws_recorded_them() -> None:
    # [REC] test_map_item_reader_base_csv_headers_first_line
    items = csv_items("Col1,Col2,Col3\n" + ROWS)
    assert json.dumps(items, separators=(",", ":")) == (
        '[{"Col1":"Value1","Col2":"Value2","Col3":"Value3"},{"Col1":"Value4","Col2":"Value5","Col3":"Value6"},'
        '{"Col1":"","Col2":"","Col3":""},{"Col1":"true","Col2":"1","Col3":"\'HelloWorld\'"},'
        '{"Col1":"Null","Col2":"None","Col3":""},{"Col1":"   ","Col2":"","Col3":""}]'
    )


def test_given_headers_read_every_row_as_data() -> None:
    # [REC] test_map_item_reader_base_csv_headers_decl
    items = csv_items(ROWS, header_location="GIVEN", headers=["H1", "H2", "H3"])
    assert items[0] == {"H1": "Value1", "H2": "Value2", "H3": "Value3"}
    assert len(items) == 6
    assert items[-1] == {"H1": "   ", "H2": "", "H3": ""}  # a line of spaces is an item


def test_extra_fields_are_skipped() -> None:
    # [REC] test_map_item_reader_csv_headers_decl_extra_fields; [DOC-CSV] "skips the additional fields"
    items = csv_items(ROWS, header_location="GIVEN", headers=["H1"])
    assert items == [{"H1": v} for v in ("Value1", "Value4", "", "true", "Null", "   ")]


def test_an_empty_header_name_is_a_key_and_missing_fields_are_empty_strings() -> None:
    # [REC] test_map_item_reader_csv_first_row_extra_fields (header row "H1,")
    items = csv_items("H1,\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n")
    assert json.dumps(items, separators=(",", ":")) == (
        '[{"":"Value5","H1":"Value4"},{"":"","H1":""},{"":"1","H1":"true"},{"":"None","H1":"Null"},'
        '{"":"","H1":"   "}]'
    )


def test_keys_come_in_java_hashmap_order() -> None:
    # [REC] test_map_item_reader_csv_headers_first_row_typed_headers: headers 0,True,{} come out
    # as {"0": .., "{}": .., "True": ..}
    items = csv_items("0,True,{}\nValue4,Value5,Value6\n")
    assert list(items[0]) == ["0", "{}", "True"]
    assert items[0] == {"0": "Value4", "True": "Value5", "{}": "Value6"}


def test_java_hash_order_grows_with_the_table() -> None:
    # a HashMap of 13+ keys has 32 buckets: the order is by (hash & 31), then insertion
    keys = [f"k{i}" for i in range(20)]
    order = java_hash_order(keys)
    assert sorted(order) == list(range(20))
    assert java_hash_order(["a", "b", "c"]) == [0, 1, 2]  # 'a'..'c' hash to buckets 1, 2, 3


def test_duplicate_headers_fail() -> None:
    # [REC] test_map_item_reader_csv_headers_decl_duplicate_headers
    with pytest.raises(ItemReaderError) as err:
        csv_items(ROWS, header_location="GIVEN", headers=["H1", "H1", "H3"])
    assert err.value.cause == "CSV headers cannot contain duplicates."
    with pytest.raises(ItemReaderError):
        csv_items("a,b,a\n1,2,3\n")


def test_an_empty_file_has_no_items() -> None:
    assert csv_items("") == []
    assert csv_items("a,b\n") == []


# ---------------------------------------------------------------------------------- CSV syntax
def test_the_documented_parsing_example() -> None:
    # [DOC-CSV] myCSVInput.csv: quoted commas, doubled quotes (also outside quotes), a newline in
    # quotes, an unquoted JSON object and a quoted JSON array
    text = (
        'abc,123,"This string contains commas, a double quotation marks (""), and a newline (\n'
        ')",{""MyKey"":""MyValue""},"[1,2,3]"\n'
    )
    assert list(csv_records(text)) == [
        [
            "abc",
            "123",
            'This string contains commas, a double quotation marks ("), and a newline (\n)',
            '{"MyKey":"MyValue"}',
            "[1,2,3]",
        ]
    ]


def test_backslashes_escape_backslashes_quotes_and_the_delimiter() -> None:
    # [DOC-CSV] "C:\\Program Files\\MyApp.exe"; a backslash before any other character is dropped
    assert list(csv_records("path,size\nC:\\\\Program Files\\\\MyApp.exe,6534512\n")) == [
        ["path", "size"],
        ["C:\\Program Files\\MyApp.exe", "6534512"],
    ]
    assert list(csv_records('a\\,b,\\"q\\",\\x\n')) == [["a,b", '"q"', "x"]]


def test_quoted_fields_and_empty_quotes() -> None:
    assert list(csv_records('"a,b","",c\n')) == [["a,b", "", "c"]]
    assert list(csv_records('"say ""hi""",x\n')) == [['say "hi"', "x"]]


@pytest.mark.parametrize(
    ("name", "sep"), [("COMMA", ","), ("PIPE", "|"), ("SEMICOLON", ";"), ("SPACE", " "), ("TAB", "\t")]
)
def test_delimiters(name: str, sep: str) -> None:
    # [DOC-IR] CSVDelimiter: COMMA (default), PIPE, SEMICOLON, SPACE, TAB
    text = f'id{sep}name\n1{sep}"a{sep}b"\n2{sep}c,d\n'
    items = csv_items(text, delimiter=name)
    assert items == [{"id": "1", "name": f"a{sep}b"}, {"id": "2", "name": "c,d" if sep != "," else "c"}]


def test_line_endings_and_blank_lines() -> None:
    assert list(csv_records("a,b\r\n1,2\r\n\r\n3,4")) == [["a", "b"], ["1", "2"], ["3", "4"]]
    assert list(csv_records("a\r1\r")) == [["a"], ["1"]]


def test_a_byte_order_mark_is_not_part_of_the_first_header() -> None:
    assert items_from_text("\ufeffid,v\n1,2\n", input_type="CSV") == [{"id": "1", "v": "2"}]


# ---------------------------------------------------------------------------------- MaxItems
def test_max_items_counts_rows_after_the_header() -> None:
    # [DOC-IR] "the interpreter passes only 100 rows ... starting after the header row";
    # [REC] test_map_item_reader_csv_max_items[2]
    text = "Col1,Col2\nValue1,Value2\nValue3,Value4\nValue5,Value6\nValue7,Value8\n"
    assert csv_items(text, max_items=2) == [
        {"Col1": "Value1", "Col2": "Value2"},
        {"Col1": "Value3", "Col2": "Value4"},
    ]


def test_max_items_zero_means_all_and_it_is_capped() -> None:
    # [REC] test_map_item_reader_csv_max_items[0] reads every row; MaxItems at most 100,000,000
    assert effective_max_items(0) is None
    assert effective_max_items(None) is None
    assert effective_max_items(3) == 3
    assert effective_max_items(100_000_001) == MAX_ITEMS_LIMIT


def test_a_negative_max_items_fails() -> None:
    # [REC] test_map_item_reader_csv_max_items_paths[-1]
    with pytest.raises(ItemReaderError) as err:
        effective_max_items(-1)
    assert err.value.cause == "field MaxItems must be positive"


# ---------------------------------------------------------------------------------- JSON / JSONL
def test_json_array_items_keep_their_shape() -> None:
    # [REC] test_map_item_reader_base_json (objects keep their key order)
    doc = [{"verdict": "true", "statement_date": "6/11/2008", "statement_source": "speech"}, 2, "x"]
    assert json_items(json.dumps(doc)) == doc
    assert json_items(json.dumps(doc), max_items=1) == doc[:1]  # [REC] ..._base_json_max_items


def test_a_json_object_is_not_iterable() -> None:
    # [REC] test_map_item_reader_json_no_json_list_object
    with pytest.raises(ItemReaderError) as err:
        json_items('{"Hello": "world"}')
    assert err.value.cause == "Attempting to map over non-iterable node."


def test_items_pointer_selects_a_nested_array() -> None:
    # [DOC-IR] ItemsPointer: a JSON Pointer to the array inside a JSON object
    doc = {"data": {"items": [1, 2, 3], "a/b": [4]}}
    assert json_items(json.dumps(doc), items_pointer="/data/items") == [1, 2, 3]
    assert json_items(json.dumps(doc), items_pointer="/data/a~1b") == [4]
    assert resolve_pointer([[0, 9]], "/0/1") == 9
    with pytest.raises(ItemReaderError):
        json_items(json.dumps(doc), items_pointer="/data/missing")
    with pytest.raises(ItemReaderError) as err:
        json_items(json.dumps(doc), items_pointer="/data")
    assert err.value.cause == "Attempting to map over non-iterable node."


def test_invalid_json_fails() -> None:
    with pytest.raises(ItemReaderError):
        json_items("[1, 2")


def test_jsonl_is_one_value_a_line() -> None:
    text = '{"a": 1}\n\n[2]\n"three"\n'
    assert jsonl_items(text) == [{"a": 1}, [2], "three"]
    assert jsonl_items(text, max_items=2) == [{"a": 1}, [2]]
    with pytest.raises(ItemReaderError):
        jsonl_items('{"a": 1}\nnot json\n')


def test_items_from_text_dispatches_on_input_type() -> None:
    assert items_from_text("[1]", input_type="JSON") == [1]
    assert items_from_text("1\n2\n", input_type="JSONL", max_items=1) == [1]
    assert items_from_text("a|b\n1|2\n", input_type="CSV", csv_delimiter="PIPE") == [{"a": "1", "b": "2"}]
    with pytest.raises(ItemReaderError):
        items_from_text("x", input_type="PARQUET")


# ---------------------------------------------------------------------------------- listObjectsV2
def test_listing_items_have_the_documented_fields() -> None:
    # [DOC-IR]/[REC] test_map_item_reader_base_list_objects_v2: Etag, Key, LastModified, Size,
    # StorageClass per object
    contents = [
        {
            "Key": "file_0.txt",
            "ETag": '"e0"',
            "LastModified": 1668699881,
            "Size": 12,
            "StorageClass": "STANDARD",
        },
        {"Key": "file_1.txt", "ETag": '"e1"', "LastModified": 1668699882, "Size": 12},
    ]
    items = listing_items(contents)
    assert items[0] == {
        "Etag": '"e0"',
        "Key": "file_0.txt",
        "LastModified": 1668699881,
        "Size": 12,
        "StorageClass": "STANDARD",
    }
    assert items[1]["StorageClass"] == "STANDARD"
    assert listing_items(contents, max_items=1) == items[:1]
