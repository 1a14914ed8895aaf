"""The training recipe on the synthetic corpus: loader, metrics, resumable folds, the small ASR
and the headline check that a small model learns a six-label corpus given as a manifest (UAR on
a speaker it never heard)."""

from __future__ import annotations

import json
import logging
import platform

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, recall_score

from mer_train import train as train_mod
from mer_train.asr import AsrConfig, corpus_utterances, train_asr, word_errors
from mer_train.corpus import EMOTIONS6, SESSION_VOICES, CorpusConfig, make_corpus, make_manifest_corpus
from mer_train.fixtures import speak
from mer_train.iemocap import LABELS, label_counts, leave_one_session_out, load_iemocap
from mer_train.memory import retain_freed_memory
from mer_train.metrics import evaluate
from mer_train.train import TrainConfig, load_asr, run

# The headline test: a small model, trained briefly, reaches the target, UAR >= 0.9, on a
# speaker it never heard, over six labels. docs/training.md has the measured figures (every seed
# of the study) and why each setting is what it is.
UAR_TARGET = 0.9
# The six-label corpus as a manifest (group = speaker): sessions 1-4 (eight voices) train; session
# 5's two voices are held out, one as the validation set that picks the epoch, one as the test set.
# Session 5 is larger (held-out utterances cost no training time; one error costs less UAR).
SIX_LABELS = CorpusConfig(sessions=5, emotions=EMOTIONS6, utterances_per_emotion=16, last_session_per_emotion=40,
                          seed=0)
SPLITS = {"Ses05F": "test", "Ses05M": "validation"}
HEADLINE = dict(wavlm="random:tiny", roberta="random:tiny", whisper="random:tiny", transcripts="reference",
                head_d_model=64, head_heads=4, head_ffn=128, dropout=0.2, batch_size=16, lr=2e-3, encoder_lr=1e-3,
                epochs=15, lr_schedule="cosine", fold_scheme="split", export=False, threads=2)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The IEMOCAP-layout corpus (four labels) of the loader, resume and ASR tests."""
    root = tmp_path_factory.mktemp("corpus")
    make_corpus(root, CorpusConfig(sessions=5, utterances_per_emotion=6, seed=0), progress=False)
    return root


@pytest.fixture(scope="module")
def six_label_manifest(tmp_path_factory):
    return make_manifest_corpus(tmp_path_factory.mktemp("six-labels"), SIX_LABELS, progress=False, splits=SPLITS)


def test_every_corpus_voice_is_a_different_voice():
    """espeak-ng silently ignores some voice+variant names (it did for "en-gb+f3"): every speaker
    of the corpus must sound different, or a "session" has one voice twice."""
    voices = [v for pair in SESSION_VOICES for v in pair]
    waves = {v: speak("I will go to the park tomorrow.", voice=v).tobytes() for v in voices}
    assert len(set(waves.values())) == len(voices)


def test_loader_reads_the_iemocap_layout_and_merges_excited_into_happy(corpus):
    utts = load_iemocap(corpus)
    summary = json.loads((corpus / "corpus.json").read_text())
    codes = summary["codes"]
    assert len(utts) == codes["neu"] + codes["hap"] + codes["exc"] + codes["sad"] + codes["ang"]
    assert label_counts(utts) == {"neutral": codes["neu"], "happy": codes["hap"] + codes["exc"],
                                  "sad": codes["sad"], "angry": codes["ang"]}
    assert {u.code for u in utts if u.label == "happy"} == {"hap", "exc"}
    assert all(u.transcript for u in utts)
    folds = leave_one_session_out(utts)
    assert [f.test_session for f in folds] == [1, 2, 3, 4, 5]
    for f in folds:
        assert {u.session for u in f.test} == {f.test_session}
        assert f.test_session not in {u.session for u in f.train}
        assert len(f.train) + len(f.test) == len(utts)


@pytest.mark.parametrize("seed", range(6))
def test_metrics_equal_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 60))
    y_true = rng.integers(0, 4, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, 4, n))
    if seed % 3 == 1:
        y_pred[y_pred == 2] = 1          # a class never predicted
    if seed % 3 == 2:
        y_true[y_true == 3] = 0          # a class absent from the truth
    m = evaluate(y_true.tolist(), y_pred.tolist(), LABELS)
    labels = list(range(len(LABELS)))
    assert m["uar"] == pytest.approx(recall_score(y_true, y_pred, labels=labels, average="macro", zero_division=0), abs=1e-12)
    assert m["macro_f1"] == pytest.approx(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0), abs=1e-12)
    assert m["accuracy"] == pytest.approx(accuracy_score(y_true, y_pred), abs=1e-12)
    assert m["confusion"] == confusion_matrix(y_true, y_pred, labels=labels).tolist()


def test_word_error_rate():
    assert word_errors("I miss Anna so much.", "i miss anna so much") == (0, 5)
    assert word_errors("the bus leaves at noon", "the bus leave at") == (2, 5)
    assert word_errors("a b", "x a b y") == (2, 2)


def test_a_trained_asr_folder_loads_like_a_hub_checkpoint(corpus, tmp_path):
    """The demo's ASR is saved as a Hugging Face folder and read back by the code that reads hub
    checkpoints; the decoding settings come out of its generation config."""
    utts = corpus_utterances(corpus, [1])[:24]
    cfg = AsrConfig(d_model=32, encoder_layers=1, decoder_layers=1, heads=2, ffn_dim=64, epochs=1, batch_size=8,
                    vocab_size=300, threads=2, ctc_weight=0.3, nonspeech_clips=4, noisy_fraction=0.25,
                    quiet_fraction=0.125)
    report = train_asr(utts[:16], utts[16:], tmp_path / "asr", cfg, progress=False)
    assert report["n_train"] == 16 and report["n_test"] == 8
    assert report["n_items"] == 16 + 4 + 2 + 4   # as recorded, in noise, quiet, non-speech
    assert 0.0 <= report["no_speech_prob"]["nonspeech_mean"] <= 1.0
    # The report's WER, recomputed from its own reference/hypothesis pairs (all 8 test utterances)
    # with an independent edit distance (top-down, memoised; not asr.word_errors).
    pairs = [(e["reference"], e["hypothesis"]) for e in report["examples"]]
    assert len(pairs) == report["n_test"]
    errors = sum(_edit_distance(_words(r), _words(h)) for r, h in pairs)
    words = sum(len(_words(r)) for r, _ in pairs)
    assert report["test_wer"] == pytest.approx(errors / words, abs=1e-4)
    assert np.isfinite(report["history"][0]["loss"])
    asr = load_asr(str(tmp_path / "asr"), max_new_tokens=12)
    tok = asr.tokenizer
    d = asr.decoding
    assert d.start_sequence == (tok.token_to_id("<|startoftranscript|>"), tok.token_to_id("<|notimestamps|>"))
    assert d.end_token == tok.token_to_id("<|endoftext|>")
    for special in ("<|startoftranscript|>", "<|en|>", "<|translate|>", "<|transcribe|>", "<|startoflm|>",
                    "<|startofprev|>", "<|nospeech|>"):
        assert tok.token_to_id(special) in d.suppress_tokens, special
    assert set(d.begin_suppress_tokens) == {tok.token_to_id("\u0120"), d.end_token}
    assert asr.feature_extractor.chunk_length == cfg.chunk_seconds
    assert asr.model.config.d_model == 32


def _words(text: str) -> list[str]:
    return "".join(c if c.isalnum() or c in "' " else " " for c in text.lower()).split()


def _edit_distance(a: list[str], b: list[str]) -> int:
    from functools import lru_cache

    @lru_cache(maxsize=None)
    def d(i: int, j: int) -> int:
        if i == 0 or j == 0:
            return i + j
        return min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))

    return d(len(a), len(b))


def test_the_independent_edit_distance_agrees_on_known_cases():
    assert _edit_distance(_words("the bus leaves at noon"), _words("the bus leave at")) == 2
    assert _edit_distance(_words("a b"), _words("x a b y")) == 2
    assert _edit_distance([], _words("x y")) == 2


def _small_config(corpus, out, **kw) -> TrainConfig:
    base = dict(corpus=str(corpus), out=str(out), wavlm="random:tiny", roberta="random:tiny", whisper="random:tiny",
                transcripts="reference", head_d_model=64, head_heads=4, head_ffn=128, batch_size=16, lr=2e-3,
                encoder_lr=1e-3, folds=(5,), export=False, threads=2)
    base.update(kw)
    return TrainConfig(**base)


def test_an_interrupted_fold_resumes_from_its_last_epoch(corpus, tmp_path, monkeypatch, caplog):
    cfg = _small_config(corpus, tmp_path / "run", modalities=("speech",), epochs=2, folds=(2,))
    real = train_mod.Batcher.__call__
    calls = {"n": 0}
    steps_per_epoch = -(-len([u for u in load_iemocap(corpus) if u.session != 2]) // cfg.batch_size)

    def interrupting(self, examples, device):
        calls["n"] += 1
        if calls["n"] == steps_per_epoch + 2:   # inside epoch 2
            raise KeyboardInterrupt
        return real(self, examples, device)

    monkeypatch.setattr(train_mod.Batcher, "__call__", interrupting)
    with pytest.raises(KeyboardInterrupt):
        run(cfg)
    assert (tmp_path / "run" / "fold2" / "checkpoint.pt").is_file()
    monkeypatch.setattr(train_mod.Batcher, "__call__", real)
    with pytest.raises(ValueError, match="different settings.*lr"):
        run(_small_config(corpus, tmp_path / "run", modalities=("speech",), epochs=2, folds=(2,), lr=1e-2))
    with caplog.at_level(logging.INFO, logger="mer_train.train"):
        summary = run(cfg)
    assert "fold 2: resuming after epoch 1" in caplog.text
    done = json.loads((tmp_path / "run" / "fold2" / "metrics.json").read_text())
    assert [h["epoch"] for h in done["history"]] == [1, 2]
    assert not (tmp_path / "run" / "fold2" / "checkpoint.pt").exists()
    assert summary["folds"]["2"]["n"] == done["n_test"]


@pytest.mark.slow
def test_a_small_model_learns_the_corpus(six_label_manifest, tmp_path):
    """Six labels; held-out speaker Ses05F (120 utterances, 14 to 25 per label: one error costs
    0.007 to 0.012 UAR), the epoch chosen on the other held-out speaker, Ses05M. Measured with
    these settings (docs/training.md, "Measured: a small model learns six labels"; script runs, 1
    thread, seed 0 being this test's trajectory): seeds 0/1/2/3/4 gave 0.978/0.951/0.929/0.965/0.924
    (min 0.924, median 0.951, max 0.978: the worst about 3 errors above the target); 163 s of
    training alone on 2 threads. With 12 epochs seeds 0/1/2/4 gave 0.978/0.945/0.908/0.922."""
    summary = run(TrainConfig(manifest=str(six_label_manifest), out=str(tmp_path / "run"), **HEADLINE))
    m = summary["folds"]["split"]
    done = json.loads((tmp_path / "run" / "foldsplit" / "metrics.json").read_text())
    print(f"\nheld-out speaker Ses05F: UAR {m['uar']:.4f}, macro-F1 {m['macro_f1']:.4f}, accuracy {m['accuracy']:.4f}; "
          f"epoch {done['chosen_epoch']} chosen on Ses05M, {summary['train_seconds']['split']:.0f} s training")
    assert summary["labels"] == sorted(EMOTIONS6)
    assert done["test_groups"] == ["Ses05F"] and done["n_test"] == m["n"]
    assert m["uar"] >= UAR_TARGET, f"UAR {m['uar']:.4f} on the held-out speaker (target {UAR_TARGET})"
    preds = [json.loads(line) for line in (tmp_path / "run" / "foldsplit" / "predictions.jsonl").read_text().splitlines()]
    labels = summary["labels"]
    y_true = [labels.index(p["label"]) for p in preds]
    y_pred = [labels.index(p["predicted"]) for p in preds]
    assert m["uar"] == pytest.approx(recall_score(y_true, y_pred, labels=range(6), average="macro", zero_division=0))
    assert m["macro_f1"] == pytest.approx(f1_score(y_true, y_pred, labels=range(6), average="macro", zero_division=0))


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_training_keeps_freed_memory_on_glibc():
    """What makes CPU training 3x faster on VMs with free page reporting (docs/training.md): glibc
    must accept both settings, and asking again is harmless."""
    assert retain_freed_memory() is True
    assert retain_freed_memory() is True
