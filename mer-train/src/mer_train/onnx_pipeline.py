"""A bundle run with ONNX Runtime in Python, stage by stage as the Java SDK runs it: the executable
description of the SDK's pipeline, used by the parity tests and the benchmark."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from .bundle import load_bundle
from .decoding import encoder_outputs, greedy_decode_with_evidence, ort_step
from .speech import SpeechDecision, SpeechEvidence, compression_ratio
from .tokenization import DecodingSettings


@dataclass
class OnnxResult:
    label: str
    probabilities: np.ndarray
    logits: np.ndarray
    transcript: str
    asr_tokens: list[int]
    text_ids: list[int]
    log_mel: np.ndarray | None = None
    encoder_states: np.ndarray | None = None
    wavlm_hidden_states: np.ndarray | None = None
    roberta_hidden_states: np.ndarray | None = None
    evidence: SpeechEvidence | None = None     # when the bundle decodes
    is_speech: bool | None = None              # the model-side decision (manifest thresholds)
    timings: dict[str, float] = field(default_factory=dict)


class OnnxPipeline:
    def __init__(self, folder: Path | str, threads: int = 2, providers: list[str] | None = None) -> None:
        self.folder = Path(folder)
        self.m = load_bundle(self.folder)
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        self.sessions = {k: ort.InferenceSession(str(self.folder / f), so, providers=providers or ["CPUExecutionProvider"])
                         for k, f in self.m["graphs"].items()}
        tk = self.m["tokenizers"]
        self.asr_tok = Tokenizer.from_file(str(self.folder / tk["asr"])) if "asr" in tk else None
        self.text_tok = Tokenizer.from_file(str(self.folder / tk["text"])) if "text" in tk else None
        self.mods = self.m["variant"]["modalities"]
        if "whisper" in self.m:
            d = self.m["whisper"]["decoding"]
            self.decoding = DecodingSettings(tuple(d["start_sequence"]), d["end_token"], d["no_timestamps_token"],
                                             tuple(d["suppress_tokens"]), tuple(d["begin_suppress_tokens"]),
                                             d["max_new_tokens"], d.get("no_speech_token"))
        # format 1 has no thresholds: openai-whisper's defaults (its decoder gives no no-speech probability anyway)
        sd = self.m.get("speech_decision")
        self.speech_decision = SpeechDecision.from_dict(sd) if sd else SpeechDecision()

    def run(self, samples: np.ndarray, transcript: str | None = None, max_new_tokens: int | None = None) -> OnnxResult:
        m, s = self.m, self.sessions
        t: dict[str, float] = {}
        feeds: dict[str, np.ndarray] = {}
        res = OnnxResult("", np.zeros(0), np.zeros(0), transcript or "", [], [], timings=t)
        samples = np.asarray(samples, dtype=np.float32)
        if "features" in s:
            t0 = time.perf_counter()
            n = m["audio"]["n_samples"]
            x = np.zeros((1, n), np.float32)
            x[0, :min(n, len(samples))] = samples[:n]
            (res.log_mel,) = s["features"].run(["log_mel"], {"waveform": x})
            t1 = time.perf_counter()
            states, ck, cv = encoder_outputs(s["whisper_encoder"], res.log_mel)
            t2 = time.perf_counter()
            t["features"], t["asr_encode"] = t1 - t0, t2 - t1
            hop = m["whisper"]["context_hop_samples"]
            frames = min(states.shape[1], -(-len(samples) // hop))
            res.encoder_states = states[0, :frames]
            if "context" in self.mods:
                feeds["context_states"] = states[:, :frames]
                feeds["context_mask"] = np.ones((1, frames), np.int64)
            if "text" in self.mods and transcript is None:
                dec = self.decoding
                if max_new_tokens is not None:
                    dec = dataclasses.replace(dec, max_new_tokens=max_new_tokens)
                w = m["whisper"]
                d = greedy_decode_with_evidence(ort_step(s["whisper_decoder"], ck, cv), 1, w["decoder_layers"],
                                                w["d_model"], dec)[0]
                res.asr_tokens = d.tokens
                res.transcript = self.asr_tok.decode(res.asr_tokens, skip_special_tokens=True)
                res.evidence = SpeechEvidence(d.no_speech_prob, d.avg_logprob, compression_ratio(res.transcript))
                res.is_speech = self.speech_decision.is_speech(res.evidence)
                t["asr_decode"] = time.perf_counter() - t2
        if "speech" in self.mods:
            t0 = time.perf_counter()
            hs, fm = s["wavlm"].run(None, {"waveform": samples[None], "waveform_mask": np.ones((1, len(samples)), np.int64)})
            t["wavlm"] = time.perf_counter() - t0
            res.wavlm_hidden_states = hs[0]
            feeds["speech_states"], feeds["speech_mask"] = hs, fm
        if "text" in self.mods:
            t0 = time.perf_counter()
            res.text_ids = self.text_tok.encode(res.transcript).ids[: m["text"]["max_tokens"]]
            ids = np.array([res.text_ids], np.int64)
            (hs,) = s["roberta"].run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
            t["roberta"] = time.perf_counter() - t0
            res.roberta_hidden_states = hs[0]
            feeds["text_states"], feeds["text_mask"] = hs, np.ones_like(ids)
        t0 = time.perf_counter()
        logits, probs = s["head"].run(None, feeds)
        t["head"] = time.perf_counter() - t0
        res.logits, res.probabilities = logits[0], probs[0]
        res.label = m["labels"][int(probs[0].argmax())]
        return res
