"""ONNX Runtime (Python) vs PyTorch / Hugging Face for every exported graph, at several lengths and
batch sizes; max abs diff <= 1e-4 in fp32 (log-mel: 1e-3, see the fixture tolerances). The graphs are
what ``export`` writes by default: rewritten (fused attention, convolutions as MatMul, cross-attention
K/V per decoder layer), so these tests prove the rewritten graphs against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mer_train.decoding import (encoder_outputs, greedy_decode, greedy_decode_with_evidence, hf_generate,
                                hf_generate_with_evidence, ort_step)
from mer_train.encoders import context_frames
from mer_train.features import pad_or_trim, reference_log_mel
from mer_train.nonspeech import make_clip, rng_for

from .conftest import parity, speechlike

# Bounds (docs/testing.md, "Bounds"; u = 2^-24): ONNX Runtime (MLAS) against PyTorch on the same
# input, two float32 programs. GRAPH: the tiny encoders have <= ~20 Linear/Conv layers with
# reductions of <= 256 terms and outputs of magnitude <= ~10: layers * sqrt(n) * u * |x| * 2 runs
# = 20 * 16 * 6e-8 * 10 * 2 ~ 4e-4 at worst, ~1e-5 typical (docs/testing.md has the figures measured);
# 1e-4 sits between, and a real bug (a dropped layer, a transposed weight, a wrong mask) moves
# these values by 1e-2 or more. LOG_MEL: the features graph computes the DFT as a 400-tap
# convolution (error ~ sqrt(400) u ||x||, against torch's FFT), read in log10 at bins four decades
# below their frame's energy: ~2e-4 in log10 units, x2 for two programs, /4 (Whisper's scaling)
# plus the peak's error at the max - 8 floor: 1e-3. SAME_PROGRAM: one graph, one runtime, batch
# against single item: the same kernels on the same values, up to blocking: 1e-5.
GRAPH = 1e-4
LOG_MEL = 1e-3
SAME_PROGRAM = 1e-5

LENGTHS = [8000, 16000, 37123]  # 0.5 s, 1 s, 2.3 s


def _mels(built, waves):
    fe = built.parts.feature_extractor
    return np.stack([reference_log_mel(fe, w) for w in waves]).astype(np.float32)


def test_exported_graphs_compute_in_float32_only(built):
    """No graph computes in float64: ONNX Runtime's CPU fusions are float32 kernels (a float64
    MatMul next to a Transpose becomes a FusedMatMul that ONNX Runtime 1.23 for Java cannot load:
    "This op has been implemented only for the following types (tensor(float),)"), and the CUDA
    provider is not tested with them. Python's onnxruntime loads such graphs, so only this test
    catches them before a Java user does."""
    import onnx

    double = onnx.TensorProto.DOUBLE
    for key, g in built.manifest["graphs"].items():
        model = onnx.load(str(built.folder / g))
        casts = [n.name for n in model.graph.node if n.op_type == "Cast"
                 and any(a.name == "to" and a.i == double for a in n.attribute)]
        consts = [i.name for i in model.graph.initializer if i.data_type == double]
        assert not casts and not consts, f"{key}: float64 in {casts + consts}"


def test_export_writes_the_rewritten_graphs(built):
    """What `fuse` makes of an older bundle, `export` writes itself: no unmasked attention left as
    Softmax in the Whisper encoder, WavLM's multi-channel strided convolutions as MatMul, and the
    cross-attention K/V as one tensor per decoder layer on both Whisper graphs."""
    import onnx

    graphs = built.manifest["graphs"]
    ops = {k: [n.op_type for n in onnx.load(str(built.folder / g)).graph.node] for k, g in graphs.items()}
    if "whisper_encoder" in graphs:
        assert "MultiHeadAttention" in ops["whisper_encoder"] and "Softmax" not in ops["whisper_encoder"]
    if "wavlm" in graphs:
        from mer_train.fusion import conv_as_matmul

        assert conv_as_matmul(onnx.load(str(built.folder / graphs["wavlm"]))) == 0  # none left to rewrite
        assert any(n.endswith("_mm_MatMul") for n in
                   (x.name for x in onnx.load(str(built.folder / graphs["wavlm"])).graph.node))
    if "whisper_decoder" in graphs:
        layers = built.manifest["whisper"]["decoder_layers"]
        dec_in = [i.name for i in built.session("whisper_decoder").get_inputs()]
        enc_out = [o.name for o in built.session("whisper_encoder").get_outputs()]
        per_layer = [f"{kv}_{i}" for kv in ("cross_k", "cross_v") for i in range(layers)]
        assert set(per_layer) <= set(dec_in) and "cross_k" not in dec_in
        assert set(per_layer) <= set(enc_out) and "cross_k" not in enc_out


def test_features_match_whisper_feature_extractor(built):
    built.require("features")
    fe = built.parts.feature_extractor
    waves = [speechlike(n, i) for i, n in enumerate(LENGTHS + [fe.n_samples + 4000])]
    padded = np.stack([pad_or_trim(w, fe.n_samples) for w in waves])
    (ours,) = built.session("features").run(["log_mel"], {"waveform": padded})
    parity(f"{built.name} features (log-mel, 4 lengths)", ours, _mels(built, waves), bound=LOG_MEL)
    (single,) = built.session("features").run(["log_mel"], {"waveform": padded[1:2]})
    parity(f"{built.name} features batch vs single", single[0], ours[1], bound=SAME_PROGRAM)


def test_whisper_encoder_and_cross_kv(built):
    built.require("whisper_encoder")
    mels = _mels(built, [speechlike(n, i) for i, n in enumerate(LENGTHS[:2])])
    states, ck, cv = encoder_outputs(built.session("whisper_encoder"), mels)
    with torch.no_grad():
        ref = built.parts.whisper.model.encoder(torch.from_numpy(mels)).last_hidden_state
        layers = built.parts.whisper.model.decoder.layers
        ref_k = torch.stack([l.encoder_attn.k_proj(ref) for l in layers])
        ref_v = torch.stack([l.encoder_attn.v_proj(ref) for l in layers])
    parity(f"{built.name} whisper_encoder states", states, ref.numpy(), bound=GRAPH)
    parity(f"{built.name} whisper_encoder cross_k", ck, ref_k.numpy(), bound=GRAPH)
    parity(f"{built.name} whisper_encoder cross_v", cv, ref_v.numpy(), bound=GRAPH)


def test_decoder_loop_reproduces_generate_exactly(built):
    built.require("whisper_decoder")
    waves = [speechlike(n, 10 + i) for i, n in enumerate(LENGTHS)]
    mels = _mels(built, waves)
    _, ck, cv = encoder_outputs(built.session("whisper_encoder"), mels)
    w = built.manifest["whisper"]
    ours = greedy_decode(ort_step(built.session("whisper_decoder"), ck, cv), len(waves), w["decoder_layers"],
                         w["d_model"], built.parts.decoding)
    ref = hf_generate(built.parts.whisper, torch.from_numpy(mels), built.parts.decoding)
    assert ours == ref
    # Random weights may decode one token over and over (tiny-d and tiny-e do): equality still
    # holds token for token, and tiny-a/b's varied tokens show the loop is not trivially right.


def test_speech_evidence_equals_the_reference(built):
    """no_speech_prob and avg_logprob from the ONNX decoder loop equal those from the Hugging Face
    model's own logits (generate's processed scores; a forward pass for position 0), in a padded
    batch of speech-like signal, noise and digital silence."""
    built.require("whisper_decoder")
    d = built.parts.decoding
    assert d.no_speech_token is not None
    assert built.manifest["whisper"]["decoding"]["no_speech_token"] == \
        built.parts.asr_tokenizer.token_to_id("<|nospeech|>")
    waves = [speechlike(16000, 30), make_clip("white", rng_for(1, "parity"), 1.5)[0], np.zeros(12000, np.float32)]
    mels = _mels(built, waves)
    _, ck, cv = encoder_outputs(built.session("whisper_encoder"), mels)
    w = built.manifest["whisper"]
    ours = greedy_decode_with_evidence(ort_step(built.session("whisper_decoder"), ck, cv), len(waves),
                                       w["decoder_layers"], w["d_model"], d)
    ref = hf_generate_with_evidence(built.parts.whisper, torch.from_numpy(mels), d)
    for o, r in zip(ours, ref):
        assert o.tokens == r.tokens
        assert 0.0 <= r.no_speech_prob <= 1.0 and r.avg_logprob <= 0.0
        parity(f"{built.name} no_speech_prob", o.no_speech_prob, r.no_speech_prob, bound=GRAPH)
        parity(f"{built.name} avg_logprob", o.avg_logprob, r.avg_logprob, bound=GRAPH)


def test_avg_logprob_counts_the_end_token_as_openai_whisper_does(built):
    """Teacher-forced check of the definition: sum of log-softmax (after suppression) of the
    chosen tokens, the end token included, over (tokens without the end + 1)."""
    built.require("whisper_decoder")
    d = built.parts.decoding
    mels = _mels(built, [speechlike(20000, 31)])
    (r,) = hf_generate_with_evidence(built.parts.whisper, torch.from_numpy(mels), d)
    seq = list(d.start_sequence) + r.tokens
    with torch.no_grad():
        logits = built.parts.whisper(input_features=torch.from_numpy(mels),
                                     decoder_input_ids=torch.tensor([seq])).logits[0].double()
    chosen = r.tokens + ([d.end_token] if len(r.tokens) < d.max_new_tokens else [])
    total = 0.0
    for i, t in enumerate(chosen):
        lg = logits[len(d.start_sequence) - 1 + i].clone()
        lg[list(d.suppress_tokens)] = -np.inf
        if i == 0:
            lg[list(d.begin_suppress_tokens)] = -np.inf
        total += float(lg.log_softmax(-1)[t])
    assert abs(r.avg_logprob - total / (len(r.tokens) + 1)) <= 1e-5
    raw = logits[0].softmax(-1)[d.no_speech_token]
    assert abs(r.no_speech_prob - float(raw)) <= 1e-6


def test_decoder_step_logits_with_and_without_cache(built):
    """Format 2: the step returns logits at every input position [B, S, V]."""
    built.require("whisper_decoder")
    mels = _mels(built, [speechlike(16000, 3)])
    _, ck, cv = encoder_outputs(built.session("whisper_encoder"), mels)
    w = built.manifest["whisper"]
    seq = np.array([list(built.parts.decoding.start_sequence) + [5, 9, 17]], dtype=np.int64)
    empty = np.zeros((w["decoder_layers"], 1, 0, w["d_model"]), np.float32)
    step = ort_step(built.session("whisper_decoder"), ck, cv)
    full_logits, _, _ = step(seq, empty, empty)
    logits, k, v = step(seq[:, :2], empty, empty)
    for i in range(2, seq.shape[1]):
        logits, k, v = step(seq[:, i:i + 1], k, v)
    with torch.no_grad():
        ref = built.parts.whisper(input_features=torch.from_numpy(mels), decoder_input_ids=torch.from_numpy(seq)).logits
    assert k.shape[2] == seq.shape[1]
    assert full_logits.shape == (1, seq.shape[1], w["vocab_size"])
    assert logits.shape == (1, 1, w["vocab_size"])
    parity(f"{built.name} whisper_decoder logits (no cache, every position)", full_logits, ref.numpy(), bound=GRAPH)
    parity(f"{built.name} whisper_decoder logits (KV cache)", logits[:, -1], ref[:, -1].numpy(), bound=GRAPH)


def _wavlm_ref(built, wave):
    if built.parts.normalize_waveform:
        # what the checkpoint's feature extractor does before WavLM (Wav2Vec2FeatureExtractor)
        from transformers import Wav2Vec2FeatureExtractor
        wave = Wav2Vec2FeatureExtractor.zero_mean_unit_var_norm([np.asarray(wave, np.float32)], None)[0].astype(np.float32)
    with torch.no_grad():
        out = built.parts.wavlm(torch.from_numpy(wave)[None], output_hidden_states=True)
    return torch.stack(tuple(out.hidden_states), 1)[0].numpy()


def test_wavlm_matches_hf_and_padded_batch_matches_singles(built):
    built.require("wavlm")
    waves = [speechlike(n, 20 + i) for i, n in enumerate(LENGTHS)]
    n = max(len(w) for w in waves)
    batch = np.zeros((len(waves), n), np.float32)
    mask = np.zeros((len(waves), n), np.int64)
    for i, w in enumerate(waves):
        batch[i, :len(w)] = w
        mask[i, :len(w)] = 1
    states, frame_mask = built.session("wavlm").run(None, {"waveform": batch, "waveform_mask": mask})
    for i, w in enumerate(waves):
        ref = _wavlm_ref(built, w)
        t = ref.shape[1]
        assert int(frame_mask[i].sum()) == t
        parity(f"{built.name} wavlm padded batch", states[i, :, :t], ref, bound=GRAPH)
        single, _ = built.session("wavlm").run(None, {"waveform": w[None], "waveform_mask": np.ones((1, len(w)), np.int64)})
        parity(f"{built.name} wavlm single", single[0], ref, bound=GRAPH)


def test_roberta_matches_hf_and_padded_batch_matches_singles(built):
    built.require("roberta")
    tok = built.parts.text_tokenizer
    texts = ["hello there", "I am so happy today because we won the game", "why"]
    encs = [tok.encode(t).ids for t in texts]
    n = max(len(e) for e in encs)
    pad = built.manifest["text"]["pad_token_id"]
    ids = np.full((len(encs), n), pad, np.int64)
    am = np.zeros((len(encs), n), np.int64)
    for i, e in enumerate(encs):
        ids[i, :len(e)] = e
        am[i, :len(e)] = 1
    (states,) = built.session("roberta").run(None, {"input_ids": ids, "attention_mask": am})
    for i, e in enumerate(encs):
        with torch.no_grad():
            t = torch.tensor([e])
            out = built.parts.roberta(input_ids=t, attention_mask=torch.ones_like(t), output_hidden_states=True)
        ref = torch.stack(tuple(out.hidden_states), 1)[0].numpy()
        parity(f"{built.name} roberta padded batch", states[i, :, :len(e)], ref, bound=GRAPH)


def test_head_matches_torch_and_padded_batch_matches_singles(built):
    rng = np.random.default_rng(5)
    p, v = built.parts, built.parts.head_config.variant
    lengths = {"speech": [7, 12], "text": [4, 9], "context": [8, 12]}
    dims = {}
    if v.has("speech"):
        dims["speech"] = (p.wavlm.config.num_hidden_layers + 1, p.wavlm.config.hidden_size)
    if v.has("text"):
        dims["text"] = (p.roberta.config.num_hidden_layers + 1, p.roberta.config.hidden_size)
    if v.has("context"):
        dims["context"] = (None, p.whisper.config.d_model)
    items = []
    for b in range(2):
        item = {}
        for m in v.modalities:
            t = lengths[m][b]
            layers, d = dims[m]
            shape = (t, d) if layers is None else (layers, t, d)
            item[m] = rng.standard_normal(shape).astype(np.float32)
        items.append(item)
    feeds = {}
    for m in v.modalities:
        tmax = max(lengths[m])
        layers, d = dims[m]
        arr = np.zeros((2, tmax, d) if layers is None else (2, layers, tmax, d), np.float32)
        mask = np.zeros((2, tmax), np.int64)
        for b in range(2):
            t = lengths[m][b]
            if layers is None:
                arr[b, :t] = items[b][m]
            else:
                arr[b, :, :t] = items[b][m]
            mask[b, :t] = 1
        feeds[f"{m}_states"], feeds[f"{m}_mask"] = arr, mask
    logits, probs = built.session("head").run(None, feeds)
    for b in range(2):
        args = []
        for m in v.modalities:
            args += [torch.from_numpy(items[b][m])[None], torch.ones(1, lengths[m][b], dtype=torch.long)]
        with torch.no_grad():
            ref_logits, ref_probs = p.head(*args)
        parity(f"{built.name} head logits (padded batch)", logits[b], ref_logits[0].numpy(), bound=GRAPH)
        parity(f"{built.name} head probabilities (padded batch)", probs[b], ref_probs[0].numpy(), bound=GRAPH)
    assert np.allclose(probs.sum(-1), 1.0, atol=1e-5)


def test_context_frames_cut():
    assert context_frames(1, 320, 1500) == 1
    assert context_frames(320, 320, 1500) == 1
    assert context_frames(321, 320, 1500) == 2
    assert context_frames(480000 + 999, 320, 1500) == 1500
