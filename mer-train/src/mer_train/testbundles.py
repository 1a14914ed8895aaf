"""Random-weight bundles built from configs (the hub is never contacted): tiny ones for tests,
committed with parity fixtures, and ``full`` ones with wavlm-base / roberta-base / whisper-small.en
shapes for benchmarks (same compute as the real weights)."""

from __future__ import annotations

import dataclasses
import json
import random
from dataclasses import dataclass, field

import torch
from tokenizers import Tokenizer
from transformers import (RobertaConfig, RobertaModel, WavLMConfig, WavLMModel, WhisperConfig,
                          WhisperFeatureExtractor, WhisperForConditionalGeneration)

from .config import WHISPER_SMALL_SHAPES, HeadConfig, Variant
from .export import BundleParts
from .model import EmotionHead
from .tokenization import decoding_for_trained_tokenizer, train_asr_tokenizer, train_text_tokenizer

IEMOCAP4 = ("neutral", "happy", "sad", "angry")
SIX = ("neutral", "happy", "sad", "angry", "fearful", "surprised")
# RAVDESS's eight emotions, in its own order (a bundle trained on a manifest sorts them instead)
RAVDESS8 = ("neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised")


@dataclass(frozen=True)
class Spec:
    """Shapes of one random-weight bundle."""

    labels: tuple[str, ...]
    variant: Variant
    wavlm: dict = field(default_factory=dict)      # WavLMConfig overrides
    roberta: dict = field(default_factory=dict)    # RobertaConfig overrides
    whisper: dict = field(default_factory=dict)    # WhisperConfig overrides
    head: dict = field(default_factory=dict)       # HeadConfig overrides
    asr_vocab: int = 400
    text_vocab: int = 400
    max_new_tokens: int = 24
    max_text_tokens: int = 64
    whisper_init_std: float = 0.02
    fixed_decode: bool = False   # suppress the end token: always decode max_new_tokens (benchmarks)
    normalize_waveform: bool = False   # as a checkpoint whose feature extractor has do_normalize=True
    classifier_spread: float = 3.0     # _spread_head's factor on the classifier weights
    description: str = ""


_TINY_WAVLM = dict(conv_dim=(32,) * 7, num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=4,
                   num_buckets=32, max_bucket_distance=200)

SPECS: dict[str, Spec] = {
    "tiny-a": Spec(
        labels=IEMOCAP4, variant=Variant(("speech", "text", "context"), True, True),
        wavlm=dict(_TINY_WAVLM, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64),
        roberta=dict(hidden_size=48, num_hidden_layers=2, num_attention_heads=4, intermediate_size=96,
                     max_position_embeddings=66),
        whisper=dict(d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
                     decoder_attention_heads=4, encoder_ffn_dim=128, decoder_ffn_dim=128, max_target_positions=48),
        head=dict(d_model=32, num_heads=4, ffn_dim=64),
        asr_vocab=400, text_vocab=420, max_new_tokens=24, max_text_tokens=64, whisper_init_std=0.2,
        description="tiny random-weight test bundle: speech+text+context, layer adapters + MF, 4 IEMOCAP labels"),
    "tiny-b": Spec(
        labels=SIX, variant=Variant(("speech", "text"), True, True),
        wavlm=dict(_TINY_WAVLM, conv_dim=(24,) * 7, hidden_size=24, num_hidden_layers=3, num_attention_heads=3,
                   intermediate_size=48),
        roberta=dict(hidden_size=40, num_hidden_layers=3, num_attention_heads=5, intermediate_size=80,
                     max_position_embeddings=34),
        whisper=dict(d_model=48, encoder_layers=3, decoder_layers=1, encoder_attention_heads=3,
                     decoder_attention_heads=3, encoder_ffn_dim=96, decoder_ffn_dim=96, max_target_positions=40),
        head=dict(d_model=24, num_heads=2, ffn_dim=48, adapter_activation="relu"),
        asr_vocab=520, text_vocab=360, max_new_tokens=16, max_text_tokens=32, whisper_init_std=0.2,
        description="tiny random-weight test bundle: speech+text (two modalities), layer adapters + MF, 6 labels"),
    "tiny-c": Spec(
        labels=("calm", "agitated"), variant=Variant(("speech",), True, False),
        wavlm=dict(_TINY_WAVLM, conv_dim=(16,) * 7, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                   intermediate_size=32),
        head=dict(d_model=16, num_heads=2, ffn_dim=32),
        description="tiny random-weight test bundle: speech only (no Whisper, no text, no context), one WavLM "
                    "layer, 2 labels"),
    "tiny-d": Spec(
        labels=("neutral", "positive", "negative"), variant=Variant(("text", "context"), False, True),
        roberta=dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                     max_position_embeddings=34),
        whisper=dict(d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                     decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_target_positions=32),
        head=dict(d_model=16, num_heads=2, ffn_dim=32, adapter_activation="tanh"),
        asr_vocab=300, text_vocab=300, max_new_tokens=12, max_text_tokens=32, whisper_init_std=0.2,
        description="tiny random-weight test bundle: text+context (no speech), no layer adapter (last layer "
                    "only), MF, 3 labels"),
    "tiny-e": Spec(
        labels=IEMOCAP4, variant=Variant(("speech", "text", "context"), True, False),
        wavlm=dict(_TINY_WAVLM, conv_dim=(16,) * 7, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                   intermediate_size=32),
        roberta=dict(hidden_size=24, num_hidden_layers=1, num_attention_heads=2, intermediate_size=48,
                     max_position_embeddings=34),
        whisper=dict(d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                     decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_target_positions=32),
        head=dict(d_model=16, num_heads=2, ffn_dim=32, adapter_activation="silu"),
        asr_vocab=300, text_vocab=300, max_new_tokens=12, max_text_tokens=32, whisper_init_std=0.2,
        normalize_waveform=True,
        description="tiny random-weight test bundle: speech+text+context without MF (pooled concat), layer "
                    "adapters, WavLM with normalize_waveform=true, 4 labels"),
    "tiny-f": Spec(
        labels=RAVDESS8, variant=Variant(("speech", "text"), True, True),
        wavlm=dict(_TINY_WAVLM, conv_dim=(16,) * 7, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                   intermediate_size=32),
        roberta=dict(hidden_size=24, num_hidden_layers=1, num_attention_heads=2, intermediate_size=48,
                     max_position_embeddings=34),
        whisper=dict(d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                     decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_target_positions=32),
        head=dict(d_model=16, num_heads=2, ffn_dim=32),
        asr_vocab=300, text_vocab=300, max_new_tokens=12, max_text_tokens=32, whisper_init_std=0.2,
        # at 3.0 the fitted ASR window (another random transcript) moved its probabilities by up to 0.62,
        # past FitAsrWindowTest's bound for random bundles (0.3)
        classifier_spread=1.0,
        description="tiny random-weight test bundle: speech+text, layer adapters + MF, the 8 RAVDESS labels "
                    "(issue 15: a bundle with a data set's labels runs in Java and in mer_train evaluate)"),
    "full": Spec(
        labels=IEMOCAP4, variant=Variant(("speech", "text", "context"), True, True),
        wavlm=dict(),  # WavLMConfig() defaults are wavlm-base's shapes
        roberta=dict(vocab_size=50265, max_position_embeddings=514, type_vocab_size=1, layer_norm_eps=1e-5),
        whisper=dict(WHISPER_SMALL_SHAPES, vocab_size=51864),
        head=dict(d_model=256, num_heads=4, ffn_dim=1024),
        asr_vocab=2000, text_vocab=2000, max_new_tokens=20, max_text_tokens=128, fixed_decode=True,
        description="random weights with wavlm-base / roberta-base / whisper-small.en shapes (benchmarks only; decodes exactly 20 tokens)"),
}

_WORDS = ("the a this that my your our their it is was be been very so really quite too not never always "
          "today tomorrow yesterday now again here there home work school weather news result game party "
          "I you we they he she love hate feel think know want need like miss enjoy fear lose win leave stay "
          "happy sad angry calm tired excited upset glad sorry great terrible awful wonderful fine okay bad "
          "good lovely horrible quiet loud please thank hello goodbye why what when where how can could will "
          "would should must do did does go went come came see saw tell told said say ask asked talk listen "
          "and but or because if then than with without about for from to of in on at by up down out").split()


def tokenizer_corpus(seed: int, n: int = 3000) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 12))) for _ in range(n)]


# whisper-small.en's tokenizer: 51864 ids, 50257 of them byte-level BPE, 1607 added tokens (specials,
# timestamps). A filler of 51k added tokens instead took DJL's tokenizer (Java, 0.36.0) 13-22 s to
# load, against 0.1 s with Whisper's proportions: a cold-start cost no real bundle has.
WHISPER_ADDED_TOKENS = 1607


def _fill_vocabulary(tok: Tokenizer, size: int) -> Tokenizer:
    """``tok`` with filler tokens ``<w0>``, ``<w1>``, ... up to ``size`` ids: in the BPE vocabulary
    (unreachable by merges, so encoding is unchanged) except as many added tokens as Whisper has."""
    d = json.loads(tok.to_str())
    have = tok.get_vocab_size()
    fill = size - have
    in_vocab = max(0, fill - max(0, WHISPER_ADDED_TOKENS - len(d["added_tokens"])))
    for i in range(in_vocab):
        d["model"]["vocab"][f"<w{i}>"] = have + i
    filled = Tokenizer.from_str(json.dumps(d))
    filled.add_tokens([f"<w{i}>" for i in range(in_vocab, fill)])
    if filled.get_vocab_size() != size:
        raise AssertionError(f"filled tokenizer has {filled.get_vocab_size()} ids, expected {size}")
    return filled


def build_parts(name: str, seed: int = 0) -> BundleParts:
    """Random-weight encoders, head and trained tokenizers for ``SPECS[name]``, deterministic by seed."""
    spec = SPECS[name]
    corpus = tokenizer_corpus(seed)
    asr_tok = train_asr_tokenizer(corpus, spec.asr_vocab)
    text_tok = train_text_tokenizer(corpus, spec.text_vocab)
    text_tok.enable_truncation(spec.max_text_tokens)
    decoding = decoding_for_trained_tokenizer(asr_tok, spec.max_new_tokens)
    if spec.fixed_decode:
        decoding = dataclasses.replace(decoding, suppress_tokens=decoding.suppress_tokens + (decoding.end_token,))
    model_vocab = spec.whisper.get("vocab_size", 0)
    if model_vocab > asr_tok.get_vocab_size():
        # full-size shapes: fill the tokenizer up to the model's vocabulary so any id decodes
        asr_tok = _fill_vocabulary(asr_tok, model_vocab)
    torch.manual_seed(seed)
    fe = WhisperFeatureExtractor(feature_size=80, sampling_rate=16000, hop_length=160, chunk_length=30, n_fft=400)
    asr_vocab = max(asr_tok.get_vocab_size(), spec.whisper.get("vocab_size", 0))
    wcfg = WhisperConfig(**{**dict(vocab_size=asr_vocab, num_mel_bins=80, max_source_positions=1500,
                                   decoder_start_token_id=decoding.start_sequence[0], eos_token_id=decoding.end_token,
                                   pad_token_id=decoding.end_token, bos_token_id=decoding.end_token,
                                   init_std=spec.whisper_init_std), **spec.whisper,
                            "vocab_size": asr_vocab})
    whisper = WhisperForConditionalGeneration(wcfg).eval()
    wavlm = WavLMModel(WavLMConfig(**spec.wavlm)).eval() if spec.variant.has("speech") else None
    roberta = None
    if spec.variant.has("text"):
        rcfg = dict(vocab_size=max(text_tok.get_vocab_size(), spec.roberta.get("vocab_size", 0)),
                    pad_token_id=text_tok.token_to_id("<pad>"), bos_token_id=text_tok.token_to_id("<s>"),
                    eos_token_id=text_tok.token_to_id("</s>"), type_vocab_size=1)
        roberta = RobertaModel(RobertaConfig(**{**rcfg, **spec.roberta, "vocab_size": rcfg["vocab_size"]}),
                               add_pooling_layer=False).eval()
    cfg = HeadConfig(labels=spec.labels, variant=spec.variant, **spec.head)
    head = EmotionHead(cfg,
                       speech_dims=(wavlm.config.num_hidden_layers, wavlm.config.hidden_size) if wavlm else None,
                       text_dims=(roberta.config.num_hidden_layers, roberta.config.hidden_size) if roberta else None,
                       context_dim=whisper.config.d_model if spec.variant.has("context") else None)
    _spread_head(head, seed, spec.classifier_spread)
    head.eval()
    return BundleParts(head_config=cfg, head=head, feature_extractor=fe, whisper=whisper, decoding=decoding,
                       asr_tokenizer=asr_tok, wavlm=wavlm, roberta=roberta, text_tokenizer=text_tok,
                       max_text_tokens=spec.max_text_tokens, normalize_waveform=spec.normalize_waveform,
                       sources={"whisper": "random", "wavlm": "random", "roberta": "random"})


def _spread_head(head: EmotionHead, seed: int, spread: float = 3.0) -> None:
    """Random layer weights and a wider classifier so random probabilities are not all ~1/E
    (a parity test on near-uniform outputs would prove little)."""
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for adapter in head.adapters.values():
            if adapter.layer_weights is not None:
                adapter.layer_weights.copy_(torch.randn(adapter.layer_weights.shape, generator=g))
        head.classifier.weight.mul_(spread)
