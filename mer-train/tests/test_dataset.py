"""The dataset manifest reader/writer (mer_train.dataset): the contract in docs/training.md."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mer_train.dataset import Item, ManifestError, read_manifest, read_wave, write_manifest


def tone(seconds: float, rate: int, freq: float = 440.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "wav").mkdir()
    for name in ("a", "b", "c"):
        sf.write(tmp_path / "wav" / f"{name}.wav", tone(1.0, 16000), 16000, subtype="FLOAT")
    return tmp_path


def problems(path: Path) -> list[str]:
    with pytest.raises(ManifestError) as e:
        read_manifest(path)
    assert isinstance(e.value, ValueError)
    return e.value.problems


def test_csv_every_field(folder: Path) -> None:
    m = folder / "data.csv"
    m.write_text("\ufeffaudio,label,group,transcript,start,end,split,mine\n"
                 "wav/a.wav, happy ,spk1,\"Hello, world\",0.25,0.75,train,x\n"
                 "\n"
                 "wav/b.wav,sad,,,,,,\n"
                 f"{folder / 'wav' / 'c.wav'},Sad,7,\"two\nlines\",,1e-1,test,\n", encoding="utf-8")
    ds = read_manifest(m)
    a, b, c = ds.items
    assert a == Item(audio=(folder / "wav" / "a.wav").resolve(), label="happy", group="spk1",
                     transcript="Hello, world", start=0.25, end=0.75, split="train", line=2)
    assert (b.label, b.group, b.transcript, b.start, b.end, b.split, b.line) == ("sad", None, None, None, None, None, 4)
    assert (c.audio, c.group, c.transcript, c.end, c.split, c.line) == (
        (folder / "wav" / "c.wav").resolve(), "7", "two\nlines", 0.1, "test", 5)
    assert ds.labels() == ["Sad", "happy", "sad"]  # case-sensitive, code-point order
    assert ds.label_counts() == {"Sad": 1, "happy": 1, "sad": 1}


def test_tsv_and_jsonl_read_the_same_rows(folder: Path) -> None:
    (folder / "d.tsv").write_text("label\taudio\tgroup\nhappy\twav/a.wav\ts1\nsad\twav/b.wav\t\"s\t2\"\n")
    (folder / "d.jsonl").write_text('{"audio": "wav/a.wav", "label": "happy", "group": "s1", "other": [1]}\n'
                                    '\n'
                                    '{"audio": "wav/b.wav", "label": "sad", "group": "s\\t2", "start": null}\n')
    t, j = read_manifest(folder / "d.tsv"), read_manifest(folder / "d.jsonl")
    assert [(i.audio, i.label, i.group) for i in t.items] == [(i.audio, i.label, i.group) for i in j.items]
    assert [i.line for i in j.items] == [1, 3]


def test_jsonl_numbers(folder: Path) -> None:
    (folder / "d.ndjson").write_text('{"audio": "wav/a.wav", "label": "x", "group": 12, "start": 0, "end": 0.5}\n')
    (it,) = read_manifest(folder / "d.ndjson").items
    assert (it.group, it.start, it.end) == ("12", 0.0, 0.5)


def test_every_bad_row_named_with_field_and_value(folder: Path) -> None:
    m = folder / "data.csv"
    m.write_text("audio,label,start,end,split\n"
                 "wav/a.wav,happy,1.5s,,\n"       # 2
                 "wav/a.wav,,,,\n"                # 3
                 ",sad,,,\n"                      # 4
                 "wav/a.wav,sad,0.5,0.5,\n"       # 5
                 "wav/a.wav,sad,-1,,\n"           # 6
                 "wav/a.wav,sad,,nan,\n"          # 7
                 "wav/a.wav,sad,,,dev\n"          # 8
                 "wav/missing.wav,sad,,,\n"       # 9
                 "wav/a.wav,sad,,,,extra\n"       # 10
                 "wav/a.wav,fine,,,\n")
    got = problems(m)
    assert got == [
        f"{m}:2: start: '1.5s' is not a number of seconds",
        f"{m}:3: label: missing",
        f"{m}:4: audio: missing",
        f"{m}:5: end: '0.5' is not after start '0.5'",
        f"{m}:6: start: '-1' is not a number of seconds >= 0",
        f"{m}:7: end: 'nan' is not a number of seconds",
        f"{m}:8: split: 'dev' is not one of train, validation, test",
        f"{m}:9: audio: 'wav/missing.wav': no such file ({(folder / 'wav' / 'missing.wav').resolve()})",
        f"{m}:10: the row has 6 fields, the header 5 (a separator inside an unquoted value?)",
    ]
    assert str(ManifestError(got)).startswith("9 problems:\n")


def test_check_audio_off_accepts_absent_files(folder: Path) -> None:
    m = folder / "d.csv"
    m.write_text("audio,label\nnot/yet.wav,x\n")
    assert read_manifest(m, check_audio=False).items[0].audio == (folder / "not" / "yet.wav").resolve()


def test_line_numbers_are_physical_lines_where_the_row_starts(folder: Path) -> None:
    m = folder / "d.csv"
    m.write_text('\n\naudio,label,transcript\r\nwav/a.wav,x,"one\r\ntwo\r\nthree"\r\n\r\nwav/b.wav,,\r\n')
    assert problems(m) == [f"{m}:8: label: missing"]


def test_jsonl_problems(folder: Path) -> None:
    m = folder / "d.jsonl"
    m.write_text('{"audio": "wav/a.wav", "label": 3}\n'
                 '[1, 2]\n'
                 '{"audio": "wav/a.wav", "label": "x", "label": "y"}\n'
                 '{"audio": "wav/a.wav", "label": "x", "start": "0.5", "group": true}\n'
                 '{"audio": "wav/a.wav"\n')
    got = problems(m)
    assert got[0] == f"{m}:1: label: 3 is not a string"
    assert got[1] == f"{m}:2: not a JSON object (found list)"
    assert got[2].startswith(f"{m}:3: not a JSON object: key(s) 'label' appear more than once")
    assert got[3:5] == [f"{m}:4: group: true is not a string", f"{m}:4: start: \"0.5\" is not a number of seconds"]
    assert got[5].startswith(f"{m}:5: not a JSON object: ")
    assert len(got) == 6
    m.write_text('{"Audio": "wav/a.wav", "label": "x"}\n')
    assert problems(m) == [f"{m}:1: audio: missing (found 'Audio'; names are lower-case)"]


@pytest.mark.parametrize("content, expected", [
    ("", "{m}: no rows"),
    ("\n  \n", "{m}: no rows"),
    ("audio,label\n", "{m}: no rows (only a header)"),
    ("Audio,label\nwav/a.wav,x\n", "{m}:1: header: no 'audio' column (found 'Audio'; column names are lower-case); "
                                   "columns: ['Audio', 'label']"),
    ("audio,label,label\nwav/a.wav,x,y\n", "{m}:1: header: column(s) 'label' appear more than once"),
    ('audio,label\n"wav/a.wav"x,y\n', "{m}:2: cannot parse the row (',' expected after '\"'); check its quotes"),
    ('audio,label\nwav/a.wav,"open\n', "{m}:2: cannot parse the row (unexpected end of data); check its quotes"),
])
def test_file_level_problems(folder: Path, content: str, expected: str) -> None:
    m = folder / "d.csv"
    m.write_text(content)
    assert problems(m) == [expected.format(m=m)]


def test_not_utf8_and_unknown_extension(folder: Path) -> None:
    m = folder / "d.csv"
    m.write_bytes(b"audio,label\nwav/a.wav,caf\xe9\n")
    assert problems(m) == [f"{m}:2: not UTF-8 (byte 0xe9); save the manifest as UTF-8"]
    with pytest.raises(ValueError, match=r"unknown manifest format '\.txt'"):
        read_manifest(folder / "d.txt")
    assert problems(folder / "absent.csv")[0].startswith(f"{folder / 'absent.csv'}: cannot read the manifest")


def test_check_labels_names_each_row(folder: Path) -> None:
    m = folder / "d.csv"
    m.write_text("audio,label\nwav/a.wav,happy\nwav/b.wav,bored\nwav/c.wav,sad\n")
    ds = read_manifest(m)
    ds.check_labels(["sad", "happy", "bored"])
    with pytest.raises(ManifestError) as e:
        ds.check_labels(["happy", "sad"], what="the bundle's labels")
    assert e.value.problems == [f"{m}:3: label: 'bored' is not in the bundle's labels ['happy', 'sad']"]


@pytest.mark.parametrize("ext", [".csv", ".tsv", ".jsonl"])
def test_write_then_read_round_trip(folder: Path, ext: str) -> None:
    items = [Item(audio=folder / "wav" / "a.wav", label="happy", group="s 1", transcript='say "hi",\tthen\nstop',
                  start=0.1, end=0.30000000000000004, split="validation"),
             Item(audio=folder / "wav" / "b.wav", label="neutral")]
    out = folder / "sub" / f"m{ext}"
    write_manifest(out, items)
    text = out.read_text()
    assert "../wav/a.wav" in text  # relative to the manifest's folder
    back = read_manifest(out).items
    assert [dict(vars(i), line=0) for i in back] == [dict(vars(i), audio=i.audio.resolve()) for i in items]
    if ext != ".jsonl":
        assert text.splitlines()[0] == ("audio,label,group,transcript,start,end,split" if ext == ".csv"
                                        else "audio\tlabel\tgroup\ttranscript\tstart\tend\tsplit")
    assert not list(out.parent.glob("*.tmp"))


def test_write_leaves_out_unused_columns(folder: Path) -> None:
    out = write_manifest(folder / "m.csv", [Item(audio=folder / "wav" / "a.wav", label="x", group="g")])
    assert out.read_text() == "audio,label,group\nwav/a.wav,x,g\n"


def test_load_cuts_by_sample_index_and_resamples(folder: Path) -> None:
    x = np.arange(48000, dtype=np.float32) / 48000
    sf.write(folder / "ramp.wav", np.stack([x, -x], axis=1), 16000, subtype="FLOAT")  # stereo: mean is 0
    sf.write(folder / "mono.wav", x, 16000, subtype="FLOAT")
    assert not Item(audio=folder / "ramp.wav", label="x").load().any()
    cut = Item(audio=folder / "mono.wav", label="x", start=0.5, end=1.25).load()
    assert cut.dtype == np.float32 and cut.shape == (12000,)
    np.testing.assert_array_equal(cut, x[8000:20000])
    np.testing.assert_array_equal(Item(audio=folder / "mono.wav", label="x", start=2.5).load(), x[40000:])

    sf.write(folder / "t48.wav", tone(1.0, 48000), 48000, subtype="FLOAT")
    y = Item(audio=folder / "t48.wav", label="x", start=0.25, end=0.75).load(16000)
    assert y.dtype == np.float32 and y.shape == (8000,)
    ref = tone(1.0, 16000)[4000:12000]
    assert np.abs(y - ref)[200:-200].max() < 1e-3  # away from the cut's edges
    np.testing.assert_array_equal(read_wave(folder / "t48.wav"), Item(audio=folder / "t48.wav", label="x").load())


def test_load_refuses_a_cut_outside_the_file(folder: Path) -> None:
    with pytest.raises(ValueError, match=r"end 2\.0 s is past the end of the file \(1\.000 s\) \(manifest line 4\)"):
        Item(audio=folder / "wav" / "a.wav", label="x", end=2.0, line=4).load()
    with pytest.raises(ValueError, match=r"holds no samples"):
        Item(audio=folder / "wav" / "a.wav", label="x", start=1.5, line=4).load()
    (folder / "bad.wav").write_bytes(b"not audio")
    with pytest.raises(ValueError, match=r"bad\.wav: cannot read audio \(manifest line 0\)"):
        Item(audio=folder / "bad.wav", label="x").load()


def test_read_wave_is_still_importable_from_train() -> None:
    from mer_train import train

    assert train.read_wave is read_wave


def test_json_rows_written_are_plain_objects(folder: Path) -> None:
    out = write_manifest(folder / "m.jsonl", [Item(audio=folder / "wav" / "a.wav", label="é", start=1.0)])
    assert json.loads(out.read_text()) == {"audio": "wav/a.wav", "label": "é", "start": 1.0}


# The JSON Schema of one row: whatever the reader accepts validates; what it refuses does not,
# except the two checks a schema cannot make (end after start, the audio file exists).
ACCEPTED = [
    {"audio": "wav/a.wav", "label": "happy"},
    {"audio": "wav/a.wav", "label": " happy ", "group": 12, "transcript": "", "start": 0, "end": 0.5,
     "split": "validation", "speaker_age": 31},
    {"audio": "wav/a.wav", "label": "x", "group": None, "transcript": None, "start": None, "end": None, "split": None},
    {"audio": "wav/a.wav", "label": "x", "group": "", "split": " test "},
    {"audio": "wav/a.wav", "label": "x", "group": 1.5, "end": 1e-3},
]
REFUSED = [
    {"label": "x"},
    {"audio": "wav/a.wav"},
    {"audio": " ", "label": "x"},
    {"audio": "wav/a.wav", "label": ""},
    {"audio": "wav/a.wav", "label": 3},
    {"audio": 3, "label": "x"},
    {"audio": "wav/a.wav", "label": "x", "group": True},
    {"audio": "wav/a.wav", "label": "x", "group": ["a"]},
    {"audio": "wav/a.wav", "label": "x", "transcript": 5},
    {"audio": "wav/a.wav", "label": "x", "start": -0.5},
    {"audio": "wav/a.wav", "label": "x", "start": "0.5"},
    {"audio": "wav/a.wav", "label": "x", "end": 0},
    {"audio": "wav/a.wav", "label": "x", "end": False},
    {"audio": "wav/a.wav", "label": "x", "split": "dev"},
    {"audio": "wav/a.wav", "label": "x", "split": "Test"},
]
REFUSED_BY_READER_ONLY = [
    {"audio": "wav/a.wav", "label": "x", "start": 1.0, "end": 0.5},
    {"audio": "wav/absent.wav", "label": "x"},
]


def _reader_accepts(folder: Path, row: dict) -> bool:
    m = folder / "one.jsonl"
    m.write_text(json.dumps(row) + "\n")
    try:
        read_manifest(m)
        return True
    except ManifestError:
        return False


def test_schema_agrees_with_the_reader(folder: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from mer_train.dataset import row_schema

    schema = row_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    for row in ACCEPTED:
        assert _reader_accepts(folder, row), row
        assert v.is_valid(row), (row, [e.message for e in v.iter_errors(row)])
    for row in REFUSED:
        assert not _reader_accepts(folder, row), row
        assert not v.is_valid(row), row
    for row in REFUSED_BY_READER_ONLY:
        assert not _reader_accepts(folder, row), row
        assert v.is_valid(row), row


@pytest.mark.parametrize("ext", [".csv", ".jsonl"])
def test_written_rows_validate(folder: Path, ext: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from mer_train.dataset import row_schema

    src = folder / f"src{ext}"
    src.write_text("audio,label,group,start,end\nwav/a.wav,x,1,0,0.5\nwav/b.wav,y,,,\n" if ext == ".csv" else
                   '{"audio": "wav/a.wav", "label": "x", "group": 1, "start": 0, "end": 0.5}\n')
    out = write_manifest(folder / "out.jsonl", read_manifest(src).items)
    for line in out.read_text().splitlines():
        jsonschema.validate(json.loads(line), row_schema())


def test_manifest_error_pickles_with_its_problems() -> None:
    import pickle

    e = pickle.loads(pickle.dumps(ManifestError(["a.csv:2: label: missing", "a.csv:3: audio: missing"])))
    assert e.problems == ["a.csv:2: label: missing", "a.csv:3: audio: missing"]
    assert ManifestError("a.csv: no rows").problems == ["a.csv: no rows"]
