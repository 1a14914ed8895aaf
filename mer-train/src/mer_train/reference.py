"""The PyTorch / Hugging Face reference pipeline: audio -> emotion probabilities.

Every stage uses transformers' own modules and feature extractor (not our export wrappers), so
fixtures made here check both the exported graphs and the Java SDK against the reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from transformers import Wav2Vec2FeatureExtractor

from .decoding import hf_generate_with_evidence
from .encoders import context_frames
from .export import BundleParts
from .features import reference_log_mel
from .speech import SpeechEvidence, compression_ratio


@dataclass
class ReferenceResult:
    num_samples: int
    log_mel: np.ndarray | None = None            # [n_mels, frames]
    encoder_states: np.ndarray | None = None     # [Tc, d] (cut to the utterance)
    asr_tokens: list[int] = field(default_factory=list)
    transcript: str = ""
    text_ids: list[int] = field(default_factory=list)
    wavlm_hidden_states: np.ndarray | None = None    # [L+1, T, D]
    roberta_hidden_states: np.ndarray | None = None  # [L+1, n, D]
    logits: np.ndarray | None = None
    probabilities: np.ndarray | None = None
    evidence: SpeechEvidence | None = None           # when the bundle decodes (text modality)
    is_speech: bool | None = None                    # the model-side decision (bundle thresholds)


class ReferencePipeline:
    def __init__(self, parts: BundleParts) -> None:
        self.p = parts
        self.v = parts.head_config.variant

    @torch.no_grad()
    def run(self, samples: np.ndarray, transcript: str | None = None) -> ReferenceResult:
        p, v = self.p, self.v
        r = ReferenceResult(num_samples=len(samples))
        head_inputs = []
        if v.needs_asr:
            r.log_mel = reference_log_mel(p.feature_extractor, samples)
            mel = torch.from_numpy(r.log_mel)[None]
            states = p.whisper.model.encoder(mel).last_hidden_state[0]
            n_ctx = context_frames(len(samples), p.feature_extractor.hop_length * 2, states.shape[0])
            r.encoder_states = states[:n_ctx].numpy()
            if v.has("text") and transcript is None:
                d = hf_generate_with_evidence(p.whisper, mel, p.decoding)[0]
                r.asr_tokens = d.tokens
                r.transcript = p.asr_tokenizer.decode(r.asr_tokens, skip_special_tokens=True)
                r.evidence = SpeechEvidence(d.no_speech_prob, d.avg_logprob, compression_ratio(r.transcript))
                r.is_speech = p.speech_decision.is_speech(r.evidence)
        if transcript is not None:
            r.transcript = transcript
        if v.has("speech"):
            wave = samples
            if p.normalize_waveform:
                # what the checkpoint's feature extractor does before WavLM (do_normalize=True):
                # transformers' own zero-mean unit-variance norm, not our graph's reimplementation
                wave = Wav2Vec2FeatureExtractor.zero_mean_unit_var_norm(
                    [np.asarray(samples, np.float32)], None)[0].astype(np.float32)
            out = p.wavlm(torch.from_numpy(wave)[None], output_hidden_states=True)
            r.wavlm_hidden_states = torch.stack(tuple(out.hidden_states), 1)[0].numpy()
            t = r.wavlm_hidden_states.shape[1]
            head_inputs += [torch.from_numpy(r.wavlm_hidden_states)[None], torch.ones(1, t, dtype=torch.long)]
        if v.has("text"):
            r.text_ids = p.text_tokenizer.encode(r.transcript).ids
            ids = torch.tensor([r.text_ids])
            out = p.roberta(input_ids=ids, attention_mask=torch.ones_like(ids), output_hidden_states=True)
            r.roberta_hidden_states = torch.stack(tuple(out.hidden_states), 1)[0].numpy()
            head_inputs += [torch.from_numpy(r.roberta_hidden_states)[None], torch.ones(1, len(r.text_ids), dtype=torch.long)]
        if v.has("context"):
            head_inputs += [torch.from_numpy(r.encoder_states)[None],
                            torch.ones(1, r.encoder_states.shape[0], dtype=torch.long)]
        logits, probs = p.head(*head_inputs)
        r.logits, r.probabilities = logits[0].numpy(), probs[0].numpy()
        return r


@torch.no_grad()
def fitted_window_encoder_states(parts: BundleParts, samples: np.ndarray) -> np.ndarray:
    """Whisper's encoder states [Tc, d] of an utterance over the window the SDK's opt-in
    ``fitAsrWindow`` uses: the utterance rounded up to whole seconds, not 30 s. transformers' own
    modules at that length: the feature extractor with ``chunk_length`` = those seconds, and the
    encoder with its first positions only (its forward insists on ``max_source_positions``)."""
    import copy

    from transformers import WhisperFeatureExtractor

    fe = parts.feature_extractor
    seconds = -(-len(samples) // fe.sampling_rate)
    short = WhisperFeatureExtractor(feature_size=fe.feature_size, sampling_rate=fe.sampling_rate,
                                    hop_length=fe.hop_length, chunk_length=seconds, n_fft=fe.n_fft)
    mel = torch.from_numpy(reference_log_mel(short, samples))[None]
    enc = copy.deepcopy(parts.whisper.model.encoder)
    positions = mel.shape[-1] // (enc.conv1.stride[0] * enc.conv2.stride[0])
    enc.config = copy.deepcopy(enc.config)
    enc.config.max_source_positions = positions
    table = enc.embed_positions.weight[:positions].clone()
    enc.embed_positions = torch.nn.Embedding(positions, table.shape[1])
    enc.embed_positions.weight.data.copy_(table)
    states = enc(mel).last_hidden_state[0]
    n_ctx = context_frames(len(samples), fe.hop_length * 2, states.shape[0])
    return states[:n_ctx].numpy()

