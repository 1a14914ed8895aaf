"""The speech decision's definitions (openai-whisper's), the non-speech generator and the ASR's
training targets for non-speech (issue 11)."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from mer_train.asr import AsrConfig, _targets, training_items
from mer_train.nonspeech import KINDS, make_clip, mix_at_snr, nonspeech_clips, rms_dbfs, rng_for, set_level
from mer_train.speech import SpeechDecision, SpeechEvidence, average_logprob, compression_ratio, no_speech_probability
from mer_train.tokenization import decoding_for_trained_tokenizer, train_asr_tokenizer

D = SpeechDecision()


@pytest.mark.parametrize("nsp,lp,cr,speech", [
    (0.9, -1.5, 1.0, False),    # transcribe.py's silence rule
    (0.9, -0.5, 1.0, True),     # confident transcript: speech despite the no-speech probability
    (0.5, -1.5, 1.0, True),     # low confidence alone is not silence
    (0.6, -1.5, 1.0, True),     # strictly greater than the threshold
    (0.1, -1.5, 3.0, False),    # repetitive low-confidence hallucination
    (0.1, -0.5, 3.0, True),     # repetitive but confident
    (None, -5.0, 9.0, True),    # no no-speech token: no model verdict, the acoustic gate decides
])
def test_decision_rule(nsp, lp, cr, speech):
    assert D.is_speech(SpeechEvidence(nsp, lp, cr)) is speech


def test_thresholds_round_trip_and_defaults():
    assert D.to_dict() == {"no_speech_threshold": 0.6, "logprob_threshold": -1.0, "compression_ratio_threshold": 2.4}
    assert SpeechDecision.from_dict({"no_speech_threshold": 0.5, "logprob_threshold": -2,
                                     "compression_ratio_threshold": 3}) == SpeechDecision(0.5, -2.0, 3.0)


def test_compression_ratio_is_openai_whispers():
    text = "Sam left the laptop at the " * 6
    assert compression_ratio(text) == len(text.encode()) / len(zlib.compress(text.encode()))
    assert compression_ratio(text) > 2.4 > compression_ratio("I am so happy that Anna came today!")
    assert compression_ratio("") == 0.0
    assert compression_ratio("é") == 2 / len(zlib.compress("é".encode()))


def test_no_speech_probability_and_average_logprob():
    logits = np.array([2.0, 0.0, -1.0, 1.0])
    p = np.exp(logits) / np.exp(logits).sum()
    assert no_speech_probability(logits, 3) == pytest.approx(p[3], abs=1e-12)
    suppressed = logits.copy()
    suppressed[0] = -np.inf
    q = np.exp(suppressed[1:]) / np.exp(suppressed[1:]).sum()
    end = 2
    # two text tokens then the end token: (lp1 + lp2 + lp_end) / (2 + 1)
    lp = average_logprob([suppressed, suppressed, suppressed], [3, 1, end], end)
    assert lp == pytest.approx((np.log(q[2]) + np.log(q[0]) + np.log(q[1])) / 3, abs=1e-12)
    # budget ran out without the end token: (lp1 + lp2) / (2 + 1)
    assert average_logprob([suppressed, suppressed], [3, 1], end) == pytest.approx((np.log(q[2]) + np.log(q[0])) / 3)
    assert average_logprob([], [], end) == 0.0


def test_nonspeech_clips_are_seeded_and_cover_every_kind():
    a, b = nonspeech_clips(20, 7, "eval"), nonspeech_clips(20, 7, "eval")
    assert [c.kind for c in a[:len(KINDS)]] == list(KINDS)
    assert all(np.array_equal(x.audio, y.audio) for x, y in zip(a, b))
    other = nonspeech_clips(20, 7, "train")
    assert not any(np.array_equal(x.audio, y.audio) for x, y in zip(a[1:], other[1:]))
    for c in a:
        assert c.audio.dtype == np.float32 and np.all(np.abs(c.audio) <= 1.0) and 0.5 * 16000 <= len(c.audio) <= 8 * 16000
        if c.kind == "silence":
            assert not c.audio.any()
        else:
            assert rms_dbfs(c.audio) == pytest.approx(c.level_dbfs, abs=0.5)


def test_mix_at_snr_and_levels():
    rng = rng_for(0, "test")
    speech = set_level(np.sin(np.arange(32000) * 0.05) * (1 + np.sin(np.arange(32000) * 0.001)), -20.0)
    for kind in ("white", "pink", "brown", "hum"):
        mixed = mix_at_snr(speech, rng, 10.0, kind)
        assert rms_dbfs(speech) - rms_dbfs(mixed - speech) == pytest.approx(10.0, abs=0.1), kind
    assert rms_dbfs(set_level(speech, -30.0)) == pytest.approx(-30.0, abs=1e-6)
    with pytest.raises(ValueError, match="nonspeech kind 'rain'"):
        make_clip("rain", rng, 1.0)


def test_non_speech_targets_are_the_no_speech_token_then_an_empty_transcript():
    tok = train_asr_tokenizer(["the cat sat on the mat", "a dog"], 300)
    d = decoding_for_trained_tokenizer(tok, 8)
    nospeech, sot, nots, end = (tok.token_to_id(t) for t in ("<|nospeech|>", "<|startoftranscript|>",
                                                               "<|notimestamps|>", "<|endoftext|>"))
    assert d.no_speech_token == nospeech and nospeech in d.suppress_tokens
    inputs, labels = _targets(tok, ["a dog", None], [sot, nots], end, nospeech, 16)
    ids = tok.encode("a dog").ids
    assert inputs[0].tolist()[:2 + len(ids)] == [sot, nots] + ids
    assert labels[0].tolist()[:2 + len(ids)] == [nots] + ids + [end]
    assert inputs[1].tolist()[:2] == [sot, nots]
    assert labels[1].tolist() == [nospeech, end] + [-100] * (labels.shape[1] - 2)


def test_training_items_are_seeded():
    from mer_train.iemocap import Utterance

    utts = [Utterance(f"u{i}", 1, "d", "s", "neu", "neutral", 0.0, 1.0, f"/x/{i}.wav", f"text {i}") for i in range(50)]
    cfg = AsrConfig(nonspeech_clips=12, noisy_fraction=0.2, quiet_fraction=0.1)
    a, b = training_items(utts, cfg), training_items(utts, cfg)
    assert [x.name for x in a] == [x.name for x in b]
    assert sum(x.snr_db is not None for x in a) == 10 and sum(x.dbfs is not None for x in a) == 5
    assert sum(x.transcript is None for x in a) == 12
    assert all(5.0 <= x.snr_db <= 20.0 for x in a if x.snr_db is not None)
    assert all(-33.0 <= x.dbfs <= -27.0 for x in a if x.dbfs is not None)


def test_eval_speech_decision_cli(tmp_path, capsys):
    from mer_train.__main__ import main
    from mer_train.speech_eval import evaluate

    from .conftest import TESTDATA, speechlike

    bundle = TESTDATA / "bundles" / "tiny-a"
    assert main(["eval-speech-decision", "--bundle", str(bundle), "--nonspeech", "10", "--clips-out",
                 str(tmp_path / "clips"), "--out", str(tmp_path / "r.json")]) == 0
    assert "| non-speech clips | 10 |" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "clips").iterdir())[0] == "brown-0004.wav"
    report = evaluate(bundle, [("a", speechlike(16000, 1)), ("b", speechlike(24000, 2))], 10)
    assert list(report["sets"]) == ["nonspeech", "clean", "snr20", "snr10", "snr5", "quiet"]
    assert all(e["items"] == 2 for k, e in report["sets"].items() if k != "nonspeech")
    ns = report["sets"]["nonspeech"]
    assert sum(v["items"] for v in ns["by_kind"].values()) == 10
    assert ns["called_no_speech"] + len(ns["answered_with_an_emotion"]) == 10
    with pytest.raises(ValueError, match="does not decode"):
        evaluate(TESTDATA / "bundles" / "tiny-c", [], 2)
