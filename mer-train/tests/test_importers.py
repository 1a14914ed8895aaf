"""Importers (mer_train.importers) on small synthetic corpora written here in each release layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mer_train.__main__ import main
from mer_train.dataset import read_manifest
from mer_train.folds import leave_one_group_out, split_column
from mer_train.importers import (CorpusError, check_audio_files, import_crema_d, import_iemocap, import_msp_podcast,
                                 import_ravdess, run_import)


def wav(path: Path, rate: int = 16000, seconds: float = 0.05) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, (0.1 * np.sin(np.arange(round(rate * seconds)) / 5.0)).astype(np.float32), rate, subtype="PCM_16")
    return path


# ---------------------------------------------------------------------------------------------- IEMOCAP

def iemocap(root: Path, missing_wav: bool = False) -> Path:
    """Two sessions, one dialog each, codes neu/hap/exc/sad/ang/fru/xxx, transcriptions."""
    codes = {1: ["neu", "hap", "exc", "fru"], 2: ["sad", "ang", "xxx", "neu"]}
    for s, cs in codes.items():
        dialog = f"Ses0{s}F_impro01"
        emo = ["% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]", ""]
        trans = []
        for i, code in enumerate(cs):
            uid = f"{dialog}_{'FM'[i % 2]}00{i}"
            emo += [f"[{i + 1.0:.4f} - {i + 1.5:.4f}]\t{uid}\t{code}\t[2.5000, 2.5000, 2.5000]", "C-E1:\tNeutral;\t()", ""]
            trans.append(f"{uid} [{i + 1.0:08.4f}-{i + 1.5:08.4f}]: Words number {i}.")
            if not (missing_wav and s == 2 and code == "sad"):
                wav(root / f"Session{s}" / "sentences" / "wav" / dialog / f"{uid}.wav")
        d = root / f"Session{s}" / "dialog"
        (d / "EmoEvaluation").mkdir(parents=True)
        (d / "transcriptions").mkdir(parents=True)
        (d / "EmoEvaluation" / f"{dialog}.txt").write_text("\n".join(emo) + "\n")
        (d / "transcriptions" / f"{dialog}.txt").write_text("\n".join(trans) + "\n")
    return root


def test_iemocap(tmp_path: Path) -> None:
    root = iemocap(tmp_path / "IEMOCAP")
    r = import_iemocap(root)
    assert [(it.audio.name, it.label, it.group) for it in r.items] == [
        ("Ses01F_impro01_F000.wav", "neutral", "Session1"), ("Ses01F_impro01_M001.wav", "happy", "Session1"),
        ("Ses01F_impro01_F002.wav", "happy", "Session1"),  # exc merged into happy
        ("Ses02F_impro01_F000.wav", "sad", "Session2"), ("Ses02F_impro01_M001.wav", "angry", "Session2"),
        ("Ses02F_impro01_M003.wav", "neutral", "Session2")]
    assert r.items[1].transcript == "Words number 1."
    assert all(it.start is None and it.end is None for it in r.items)  # one WAV per utterance
    assert dict(r.skipped) == {"IEMOCAP code 'fru' (not one of ang, exc, hap, neu, sad)": 1,
                               "IEMOCAP code 'xxx' (not one of ang, exc, hap, neu, sad)": 1}
    assert {it.group for it in import_iemocap(root, group="speaker").items} == {"Ses01F", "Ses01M", "Ses02F", "Ses02M"}
    # the manifest reproduces the paper's leave-one-session-out folds
    out = tmp_path / "iemocap.csv"
    run_import("iemocap", root, out)
    folds = leave_one_group_out(read_manifest(out).items)
    assert [(f.name, len(f.train), len(f.test)) for f in folds] == [("Session1", 3, 3), ("Session2", 3, 3)]


def test_iemocap_missing_audio_is_an_error_unless_skipped(tmp_path: Path) -> None:
    root = iemocap(tmp_path / "IEMOCAP", missing_wav=True)
    with pytest.raises(CorpusError, match=r"iemocap: 1 labelled utterance\(s\) have no audio file: .*"
                                          r"Ses02F_impro01_F000\.wav \(labelled in Ses02F_impro01\.txt:3\)\. "
                                          r"Complete the download, or pass --skip-missing"):
        import_iemocap(root)
    r = import_iemocap(root, skip_missing=True)
    assert len(r.items) == 5 and r.skipped["audio file missing"] == 1


def test_iemocap_wrong_root(tmp_path: Path) -> None:
    tmp_path.joinpath("x").mkdir()
    with pytest.raises(CorpusError, match=r"no SessionN folders"):
        import_iemocap(tmp_path / "x")
    with pytest.raises(CorpusError, match=r"not a folder"):
        import_iemocap(tmp_path / "absent")


# ---------------------------------------------------------------------------------------------- RAVDESS

def test_ravdess(tmp_path: Path) -> None:
    root = tmp_path / "RAVDESS"
    wav(root / "Actor_12" / "03-01-06-01-02-01-12.wav", rate=48000)   # fearful, "Dogs ..."
    wav(root / "Actor_12" / "03-01-01-01-01-02-12.wav", rate=48000)   # neutral, "Kids ..."
    wav(root / "Actor_03" / "03-01-08-02-01-01-03.wav", rate=48000)   # surprised
    wav(root / "Actor_03" / "03-02-03-01-01-01-03.wav", rate=48000)   # song
    wav(root / "Actor_03" / "03-01-09-01-01-01-03.wav", rate=48000)   # unknown emotion 09
    wav(root / "Actor_03" / "03-01-05-01-03-01-03.wav", rate=48000)   # unknown statement 03
    wav(root / "Actor_03" / "notes.wav", rate=48000)                  # wrong name
    (root / "Actor_03" / "01-01-05-01-01-01-03.mp4").write_bytes(b"\0")  # full-AV video
    (root / "Actor_03" / "02-01-05-01-01-01-03.mp4").write_bytes(b"\0")  # video-only
    (root / "Actor_03" / "readme.txt").write_text("ignored")
    r = import_ravdess(root)
    assert [(it.audio.name, it.label, it.group, it.transcript) for it in r.items] == [
        ("03-01-08-02-01-01-03.wav", "surprised", "Actor_03", "Kids are talking by the door"),
        ("03-01-01-01-01-02-12.wav", "neutral", "Actor_12", "Kids are talking by the door"),
        ("03-01-06-01-02-01-12.wav", "fearful", "Actor_12", "Dogs are sitting by the door")]
    assert dict(r.skipped) == {
        "video file (modality 01: full-AV)": 1, "video file (modality 02: video-only)": 1,
        "song (vocal channel 02; --include-song keeps it)": 1, "unknown emotion code 09": 1,
        "unknown intensity, statement or actor code": 1, "name not MM-VV-EE-II-SS-RR-AA": 1}
    assert r.examples["name not MM-VV-EE-II-SS-RR-AA"] == ["Actor_03/notes.wav"]
    assert "03-02-03-01-01-01-03.wav" in [it.audio.name for it in import_ravdess(root, include_song=True).items]
    kept = import_ravdess(root, labels=["neutral", "fearful"])
    assert [it.label for it in kept.items] == ["neutral", "fearful"]
    assert kept.skipped["label 'surprised' not in --labels"] == 1
    with pytest.raises(CorpusError, match=r"--labels \['fear'\] are not labels of this importer; its labels: "
                                          r"neutral, calm, happy, sad, angry, fearful, disgust, surprised"):
        import_ravdess(root, labels=["fear"])
    # 48 kHz files load at 16 kHz through the manifest
    out = tmp_path / "r.jsonl"
    run_import("ravdess", root, out)
    assert read_manifest(out).items[0].load().shape == (800,)


# ---------------------------------------------------------------------------------------------- CREMA-D

def test_crema_d(tmp_path: Path) -> None:
    root = tmp_path / "CREMA-D"
    for name in ("1001_DFA_ANG_XX", "1001_IEO_HAP_HI", "1002_WSI_NEU_XX", "1002_TSI_SAD_LO",
                 "1003_ITH_FEA_MD", "1003_IOM_DIS_XX",
                 "1004_DFA_XYZ_XX",   # unknown emotion
                 "1004_QQQ_ANG_XX",   # unknown sentence
                 "1004-DFA-ANG-XX"):  # wrong name
        wav(root / "AudioWAV" / f"{name}.wav")
    r = import_crema_d(root)
    assert [(it.audio.stem, it.label, it.group, it.transcript) for it in r.items] == [
        ("1001_DFA_ANG_XX", "angry", "1001", "Don't forget a jacket"),
        ("1001_IEO_HAP_HI", "happy", "1001", "It's eleven o'clock"),
        ("1002_TSI_SAD_LO", "sad", "1002", "The surface is slick"),
        ("1002_WSI_NEU_XX", "neutral", "1002", "We'll stop in a couple of minutes"),
        ("1003_IOM_DIS_XX", "disgust", "1003", "I'm on my way to the meeting"),
        ("1003_ITH_FEA_MD", "fear", "1003", "I think I have a doctor's appointment")]
    assert dict(r.skipped) == {"unknown emotion code XYZ": 1, "unknown sentence or level code": 1,
                               "name not <actor>_<sentence>_<emotion>_<level>": 1}
    assert len(import_crema_d(root / "AudioWAV").items) == 6  # ROOT may be AudioWAV itself
    # --check-audio: a header-only WAV and a file that is not audio become counted skips
    sf.write(root / "AudioWAV" / "1005_DFA_ANG_XX.wav", np.zeros(0, np.float32), 16000)
    (root / "AudioWAV" / "1005_DFA_HAP_XX.wav").write_bytes(b"RIFF? no")
    unchecked = import_crema_d(root)
    assert len(unchecked.items) == 8
    checked = check_audio_files(unchecked)
    assert len(checked.items) == 6 and checked.skipped["unreadable or empty audio file (--check-audio)"] == 2
    with pytest.raises(CorpusError, match=r"no \.wav files"):
        import_crema_d(tmp_path)


# ---------------------------------------------------------------------------------------------- MSP-Podcast

MSP_HEADER = "FileName,EmoClass,EmoAct,EmoVal,EmoDom,SpkrID,Gender,Split_Set\n"


def msp(root: Path, rows: list[str], audio: list[str]) -> Path:
    (root / "Labels").mkdir(parents=True)
    (root / "Labels" / "labels_consensus.csv").write_text(MSP_HEADER + "".join(r + "\n" for r in rows))
    (root / "Audios").mkdir()
    for name in audio:
        wav(root / "Audios" / name)
    return root


MSP_ROWS = ["MSP-PODCAST_0001_0001.wav,N,4.2,4.0,4.4,127,Female,Train",
            "MSP-PODCAST_0001_0002.wav,H,5.0,5.8,4.0,127,Female,Train",
            "MSP-PODCAST_0002_0001.wav,A,6.0,2.0,5.0,Unknown,Male,Development",
            "MSP-PODCAST_0003_0001.wav,S,2.0,2.0,3.0,300,Male,Test1",
            "MSP-PODCAST_0004_0001.wav,C,4.0,3.0,4.0,301,Male,Test2",
            "MSP-PODCAST_0005_0001.wav,X,4.0,4.0,4.0,302,Female,Train",
            "MSP-PODCAST_0005_0002.wav,O,4.0,4.0,4.0,302,Female,Train",
            "MSP-PODCAST_0005_0003.wav,Q,4.0,4.0,4.0,302,Female,Train",
            "MSP-PODCAST_0005_0004.wav,U,4.0,4.0,4.0,302,Female,Test3"]


def test_msp_podcast(tmp_path: Path) -> None:
    names = [r.split(",")[0] for r in MSP_ROWS]
    root = msp(tmp_path / "MSP", MSP_ROWS, names)
    r = import_msp_podcast(root)
    assert [(it.audio.name, it.label, it.group, it.split) for it in r.items] == [
        (names[0], "neutral", "127", "train"), (names[1], "happy", "127", "train"),
        (names[2], "angry", None, "validation"), (names[3], "sad", "300", "test")]
    assert dict(r.skipped) == {"EmoClass X (no agreement)": 1, "EmoClass O (other)": 1,
                               "unknown EmoClass 'Q'": 1, "unknown Split_Set 'Test3'": 1,
                               "Split_Set Test2 (the test set is Test1; --test-set chooses)": 1}
    assert r.examples["unknown EmoClass 'Q'"] == [f"labels_consensus.csv:9 {names[7]}"]
    both = import_msp_podcast(root, test_set="both")
    assert [it.label for it in both.items if it.split == "test"] == ["sad", "contempt"]
    assert [it.label for it in import_msp_podcast(root, test_set="Test2").items if it.split == "test"] == ["contempt"]
    assert [it.label for it in import_msp_podcast(root, labels=["neutral", "sad"]).items] == ["neutral", "sad"]
    out = tmp_path / "msp.tsv"
    run_import("msp-podcast", root, out)
    (fold,) = split_column(read_manifest(out).items)
    assert (len(fold.train), len(fold.validation), len(fold.test)) == (2, 1, 1)


def test_msp_podcast_missing_audio_and_bad_table(tmp_path: Path) -> None:
    root = msp(tmp_path / "MSP", MSP_ROWS[:4], [r.split(",")[0] for r in MSP_ROWS[:3]])
    with pytest.raises(CorpusError, match=r"msp-podcast: 1 labelled utterance\(s\) have no audio file: .*"
                                          r"MSP-PODCAST_0003_0001\.wav \(listed in labels_consensus\.csv:5\)"):
        import_msp_podcast(root)
    assert import_msp_podcast(root, skip_missing=True).skipped["audio file missing"] == 1
    bad = tmp_path / "bad"
    (bad / "Labels").mkdir(parents=True)
    (bad / "Audios").mkdir()
    (bad / "Labels" / "labels_consensus.csv").write_text("FileName,EmoClass\nx.wav,N\n")
    with pytest.raises(CorpusError, match=r"labels_consensus\.csv:1: header: no column\(s\) \['SpkrID', 'Split_Set'\]"):
        import_msp_podcast(bad)
    with pytest.raises(CorpusError, match=r"Labels/labels_consensus\.csv: missing"):
        import_msp_podcast(tmp_path / "nothing")


# ---------------------------------------------------------------------------------------------- CLI

def test_cli_writes_the_manifest_and_prints_the_counts(tmp_path: Path, capsys) -> None:
    root = tmp_path / "CREMA-D"
    for name in ("1001_DFA_ANG_XX", "1002_DFA_NEU_XX", "bad"):
        wav(root / "AudioWAV" / f"{name}.wav")
    out = tmp_path / "out" / "crema.csv"
    assert main(["import-dataset", "crema-d", str(root), "--out", str(out), "--labels", "angry,neutral"]) == 0
    printed = capsys.readouterr().out
    assert "crema-d: 2 rows, 2 groups, labels angry 1, neutral 1" in printed
    assert "skipped 1: name not <actor>_<sentence>_<emotion>_<level> (e.g. bad.wav)" in printed
    assert out.read_text().splitlines() == ["audio,label,group,transcript",
                                            "../CREMA-D/AudioWAV/1001_DFA_ANG_XX.wav,angry,1001,Don't forget a jacket",
                                            "../CREMA-D/AudioWAV/1002_DFA_NEU_XX.wav,neutral,1002,Don't forget a jacket"]
    assert main(["import-dataset", "crema-d", str(root), "--out", str(tmp_path / "x.txt")]) == 2
    assert "unknown manifest format '.txt'" in capsys.readouterr().err
    assert main(["import-dataset", "crema-d", str(root), "--out", str(tmp_path / "y.csv"), "--labels", "sad"]) == 2
    assert "crema-d: nothing to write" in capsys.readouterr().err
    assert not (tmp_path / "y.csv").exists()
