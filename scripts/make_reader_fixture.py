"""Writes testdata/evaluate/reader-cases.json: small manifests (CSV, TSV, JSONL; edge cases of the
contract) and what mer_train.dataset.read_manifest makes of them: the rows (line, audio relative to
the manifest's folder, label, group, transcript, start, end, split) or the lines of the problems
(0 for a problem of the whole file). mer-sdk-dataset's ReaderAgreementTest holds the Java reader to
the same outcome, so that training and both evaluators read one manifest the same way.

    .venv/bin/python scripts/make_reader_fixture.py
"""
from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "mer-train" / "src"))
from mer_train.dataset import ManifestError, read_manifest  # noqa: E402

CASES = [
    ("all-fields.csv", 'audio,label,group,transcript,start,end,split,mine\na.wav,happy,7,"hi, ""you""",0.5,1.25,test,x\n'),
    ("blank-lines.csv", "audio,label\n\n  \na.wav,x\n\n"),
    ("crlf.csv", "audio,label\r\na.wav,x\r\n\r\nb.wav,y\r\n"),
    ("quoted-newline.csv", 'audio,label\n"a\nb.wav",x\nc.wav,y\n'),
    ("bom.csv", "\ufeffaudio,label\na.wav,x\n"),
    ("header-blanks.csv", " audio , label \na.wav, x \n"),
    ("columns-any-order.tsv", "label\tnotes\taudio\nneutral\ta, b\tsub/x.flac\n"),
    ("tsv-quoted-tab.tsv", 'audio\tlabel\n"a\tb.wav"\thappy\n'),
    ("numbers.csv", "audio,label,start,end\na.wav,x,+1,2.\nb.wav,x,.5,1e1\nc.wav,x,-0,3\nd.wav,x, 0.25 ,\n"),
    ("blank-transcript.csv", "audio,label,transcript\na.wav,x,  \nb.wav,y,  two words  \n"),
    ("rows.jsonl", '{"audio": "a.wav", "label": "calm", "group": 12, "start": 1, "end": 2.5, "transcript": " hi "}\n\n'
                   '{"audio": "b.wav", "label": "sad", "group": null, "split": "validation", "other": [1]}\n'),
    ("bom-crlf.jsonl", '\ufeff{"audio": "a.wav", "label": " x "}  \r\n'),
    ("negative-zero.jsonl", '{"audio": "a.wav", "label": "x", "start": -0.0, "end": 1}\n'),
    ("bad-rows.csv", "audio,label,start,end,split\na.wav,happy,1.5s,,\n,sad,,,\nb.wav,,,,\nc.wav,sad,2,1,\n"
                     "d.wav,sad,-1,,\ne.wav,sad,,,dev\nf.wav,sad\ng.wav,sad,,0,\nh.wav,sad,inf,,\n"),
    ("bad-rows.jsonl", '{"audio": "a.wav"}\n[1]\n{"audio": 3, "label": "x"}\n{"audio": "a.wav", "label": "x", "start": "0.5"}\n'
                       '{oops\n{"audio": "a.wav", "label": "x", "label": "y"}\n{"audio": "a.wav", "label": "x"} {"x": 1}\n'
                       '{"audio": "a.wav", "label": "x", "group": true}\n'),
    ("headerless.tsv", "a.wav\thappy\nb.wav\tsad\n"),
    ("header-case.csv", "Audio,label\na.wav,x\n"),
    ("header-duplicate.csv", "audio,label,audio\na,b,c\n"),
    ("only-header.csv", "audio,label\n"),
    ("empty.jsonl", "\n\n"),
    ("split-case.csv", "audio,label,split\na.wav,x,Train\n"),
]


def outcome(path: Path) -> dict:
    try:
        d = read_manifest(path, check_audio=False)
    except ManifestError as e:
        lines = []
        for p in e.problems:
            m = re.match(re.escape(str(path)) + r":(\d+): ", p)
            lines.append(int(m.group(1)) if m else 0)
        return {"problem_lines": lines}
    return {"rows": [{"line": it.line, "audio": os.path.relpath(it.audio, path.parent).replace(os.sep, "/"),
                      "label": it.label, "group": it.group, "transcript": it.transcript, "start": it.start,
                      "end": it.end, "split": it.split} for it in d.items]}


def main() -> None:
    out = []
    with tempfile.TemporaryDirectory() as d:
        for name, text in CASES:
            p = Path(d) / name
            p.write_bytes(text.encode("utf-8"))
            out.append({"name": name, "text": text, **outcome(p)})
            print(name, out[-1].get("problem_lines", len(out[-1].get("rows", []))))
    doc = {"generator": "scripts/make_reader_fixture.py (mer_train.dataset.read_manifest)", "cases": out}
    (REPO / "testdata" / "evaluate" / "reader-cases.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
