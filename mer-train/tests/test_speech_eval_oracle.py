"""eval-speech-decision (mer_train.speech_eval) against an independent oracle: every item's call is
openai-whisper's rule (transcribe.py) written out here on the evidence ONNX Runtime gives for that
item, with the bundle's thresholds; the report must list exactly those items as "no speech"."""

from __future__ import annotations

import json

from mer_train.nonspeech import nonspeech_clips
from mer_train.onnx_pipeline import OnnxPipeline
from mer_train.speech_eval import evaluate

from .conftest import TESTDATA, speechlike


def _whisper_says_no_speech(ev, t: dict) -> bool:
    # transcribe.py: skip the segment when no_speech_prob > threshold and avg_logprob < threshold;
    # a compression ratio above its threshold with a low avg_logprob fails the segment as well
    unlikely = ev.avg_logprob < t["logprob_threshold"]
    return unlikely and (ev.no_speech_prob > t["no_speech_threshold"]
                         or ev.compression_ratio > t["compression_ratio_threshold"])


def test_the_report_lists_the_items_the_rule_calls_no_speech():
    bundle = TESTDATA / "bundles" / "tiny-a"
    t = json.loads((bundle / "bundle.json").read_text())["speech_decision"]
    # an inverted decision lists the complement: it fails as long as there is an item
    speech = [("a", speechlike(16000, 1)), ("b", speechlike(24000, 2))]
    report = evaluate(bundle, speech, 4)
    pipe = OnnxPipeline(bundle)
    rate = pipe.m["audio"]["sample_rate"]
    clips = nonspeech_clips(4, 0, "eval-nonspeech", rate, max_seconds=min(8.0, pipe.m["audio"]["chunk_seconds"]))
    calls = {c.name: _whisper_says_no_speech(pipe.run(c.audio).evidence, t) for c in clips}
    ns = report["sets"]["nonspeech"]
    assert sorted(ns["answered_with_an_emotion"]) == sorted(n for n, no in calls.items() if not no)
    assert ns["called_no_speech"] == sum(calls.values())
    clean = {n: _whisper_says_no_speech(pipe.run(w).evidence, t) for n, w in speech}
    assert report["sets"]["clean"]["called_no_speech_items"] == [n for n, no in clean.items() if no]
    assert len(calls) + len(clean) > 0
