"""Reference implementation of the paper's model (section II), one class per part.

Data flow for one utterance (S speech, T text, C context):

    WavLM states [B, Ls+1, T_s, Ds] --LayerAdapter (eqs. 1-2)--> H*_S [B, T_s, d]
    RoBERTa states [B, Lt+1, n, Dt] --LayerAdapter (eqs. 1-2)--> H*_T [B, n, d]
    Whisper encoder states [B, T_c, Dc] --ContextProjection-----> H_C  [B, T_c, d]
    MultimodalFusion (eqs. 3-8): per-modality TransformerLayer, then MLFBlocks, masked max-pool
    EmotionClassifier (eq. 9): FC + softmax

Choices the paper leaves open (documented in docs/model-bundle.md, all in ``HeadConfig``):
adapter width = d_model, activation GELU; layer adapters over encoder layers 1..L (eq. 1; the
embedding output is exported but not adapted); the context gets a single FC->act->LayerNorm to
d_model (the paper has no adapter for Whisper, frozen, last layer); transformer layers are post-norm
("standard transformer layer"); pooling is a masked max over time.

Variants (Tables I and II): any non-empty subset of modalities; without layer adapters the last
layer alone goes through one FC->act->LayerNorm; without MF the adapted sequences are max-pooled
and concatenated. With MF, each of speech/text present gets an MLF block whose first
cross-attention looks at the other of speech/text (if present) and whose second looks at the
context (if present); the pooled context transformer output H'_C is concatenated too (eq. 8).
"""

from __future__ import annotations

import torch
from torch import nn

from .config import HeadConfig

_ACT = {"gelu": nn.GELU, "relu": nn.ReLU, "tanh": nn.Tanh, "silu": nn.SiLU}


def _key_bias(mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """[B, P] 1/0 key mask -> additive bias [B, 1, 1, P] (0 or the dtype's most negative value)."""
    return ((1.0 - mask.to(dtype)) * torch.finfo(dtype).min)[:, None, None, :]


def masked_max_pool(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Max over the real time steps of x [B, T, d] (mask [B, T]) -> [B, d]."""
    return x.masked_fill(mask[..., None] == 0, torch.finfo(x.dtype).min).amax(dim=1)


class Attention(nn.Module):
    """Multi-head (cross-)attention with a key padding mask."""

    def __init__(self, d: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)
        self.dropout = nn.Dropout(dropout)

    def forward(self, query: torch.Tensor, kv: torch.Tensor, kv_mask: torch.Tensor) -> torch.Tensor:
        b, s, d = query.shape
        hd = d // self.heads
        q = self.q(query).view(b, s, self.heads, hd).transpose(1, 2)
        k = self.k(kv).view(b, -1, self.heads, hd).transpose(1, 2)
        v = self.v(kv).view(b, -1, self.heads, hd).transpose(1, 2)
        w = torch.matmul(q, k.transpose(2, 3)) * (hd ** -0.5) + _key_bias(kv_mask, q.dtype)
        w = self.dropout(torch.softmax(w, dim=-1))
        return self.o(torch.matmul(w, v).transpose(1, 2).reshape(b, s, d))


class FeedForward(nn.Module):
    def __init__(self, d: int, ffn: int, dropout: float) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d, ffn), nn.GELU(), nn.Dropout(dropout), nn.Linear(ffn, d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class LayerAdapter(nn.Module):
    """Eqs. (1)-(2): alpha^l = LayerNorm(act(FC_l(H^l))) for l = 1..L, H* = sum_l w_l alpha^l with
    softmax-normalised learnable w. Without LA: the last layer through one FC->act->LayerNorm."""

    def __init__(self, num_layers: int, in_dim: int, cfg: HeadConfig, use_all_layers: bool) -> None:
        super().__init__()
        self.use_all_layers = use_all_layers
        n = num_layers if use_all_layers else 1

        def block() -> nn.Module:
            return nn.Sequential(nn.Linear(in_dim, cfg.d_model), _ACT[cfg.adapter_activation](), nn.LayerNorm(cfg.d_model))

        self.adapters = nn.ModuleList([block() for _ in range(n)])
        self.layer_weights = nn.Parameter(torch.zeros(n)) if use_all_layers else None
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        """states [B, L+1, T, D] (index 0 = embedding output) -> [B, T, d_model]."""
        if not self.use_all_layers:
            return self.dropout(self.adapters[0](states[:, -1]))
        w = torch.softmax(self.layer_weights, dim=0)  # eq. (2): softmax-normalised layer weights
        out = w[0] * self.adapters[0](states[:, 1])
        for i in range(1, len(self.adapters)):
            out = out + w[i] * self.adapters[i](states[:, i + 1])
        return self.dropout(out)


class ContextProjection(nn.Module):
    """Whisper encoder states [B, T, Dc] -> [B, T, d_model] (one FC->act->LayerNorm)."""

    def __init__(self, in_dim: int, cfg: HeadConfig) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_dim, cfg.d_model), _ACT[cfg.adapter_activation](), nn.LayerNorm(cfg.d_model))
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.net(x))


class TransformerLayer(nn.Module):
    """Eq. (3): a standard (post-norm) transformer encoder layer over one modality."""

    def __init__(self, cfg: HeadConfig) -> None:
        super().__init__()
        self.attn = Attention(cfg.d_model, cfg.num_heads, cfg.attention_dropout)
        self.ffn = FeedForward(cfg.d_model, cfg.ffn_dim, cfg.attention_dropout)
        self.norm1 = nn.LayerNorm(cfg.d_model)
        self.norm2 = nn.LayerNorm(cfg.d_model)
        self.drop = nn.Dropout(cfg.attention_dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.norm1(x + self.drop(self.attn(x, x, mask)))
        return self.norm2(x + self.drop(self.ffn(x)))


class MLFBlock(nn.Module):
    """Eqs. (4)-(7): a transformer layer with two cross-attentions, each with a residual and a
    LayerNorm, then the feed-forward: Q1 = own modality, K1 = V1 = the other of speech/text;
    Q2 = the first output, K2 = V2 = H'_C. Either cross-attention is absent when its modality is."""

    def __init__(self, cfg: HeadConfig, first: bool, second: bool) -> None:
        super().__init__()
        self.cross1 = Attention(cfg.d_model, cfg.num_heads, cfg.attention_dropout) if first else None
        self.norm1 = nn.LayerNorm(cfg.d_model) if first else None
        self.cross2 = Attention(cfg.d_model, cfg.num_heads, cfg.attention_dropout) if second else None
        self.norm2 = nn.LayerNorm(cfg.d_model) if second else None
        self.ffn = FeedForward(cfg.d_model, cfg.ffn_dim, cfg.attention_dropout)
        self.norm3 = nn.LayerNorm(cfg.d_model)
        self.drop = nn.Dropout(cfg.attention_dropout)

    def forward(self, x, mask, kv1=None, kv1_mask=None, kv2=None, kv2_mask=None):
        if self.cross1 is not None:
            x = self.norm1(x + self.drop(self.cross1(x, kv1, kv1_mask)))   # eq. (5)
        if self.cross2 is not None:
            x = self.norm2(x + self.drop(self.cross2(x, kv2, kv2_mask)))   # eq. (7)
        return self.norm3(x + self.drop(self.ffn(x)))


class MultimodalFusion(nn.Module):
    """Eqs. (3)-(8): per-modality transformer layers, MLF blocks for speech and text queries,
    masked max-pooling and concatenation H_STC = H_C^ST (+) H_C^TS (+) H'_C."""

    def __init__(self, cfg: HeadConfig) -> None:
        super().__init__()
        mods = cfg.variant.modalities
        self.mods = mods
        self.encoders = nn.ModuleDict({m: TransformerLayer(cfg) for m in mods})
        self.blocks = nn.ModuleDict()
        for m in ("speech", "text"):
            if m in mods:
                other = "text" if m == "speech" else "speech"
                self.blocks[m] = MLFBlock(cfg, first=other in mods, second="context" in mods)

    @property
    def num_pooled(self) -> int:
        return len(self.blocks) + (1 if "context" in self.mods else 0)

    def forward(self, seqs: dict[str, torch.Tensor], masks: dict[str, torch.Tensor]) -> torch.Tensor:
        h = {m: self.encoders[m](seqs[m], masks[m]) for m in self.mods}   # eq. (3)
        pooled = []
        for m, block in self.blocks.items():
            other = "text" if m == "speech" else "speech"
            out = block(h[m], masks[m], h.get(other), masks.get(other), h.get("context"), masks.get("context"))
            pooled.append(masked_max_pool(out, masks[m]))
        if "context" in self.mods:
            pooled.append(masked_max_pool(h["context"], masks["context"]))
        return torch.cat(pooled, dim=-1)                                     # eq. (8)


class EmotionHead(nn.Module):
    """Everything after the encoders: adapters, fusion (or pooled concat) and the classifier.

    ``forward`` takes, for each modality of the variant in the order speech, text, context, its
    states and mask; it returns (logits, probabilities). This module is exported as head.onnx.
    """

    def __init__(self, cfg: HeadConfig, speech_dims: tuple[int, int] | None = None,
                 text_dims: tuple[int, int] | None = None, context_dim: int | None = None) -> None:
        """speech_dims / text_dims: (num_layers, hidden_size) of WavLM / RoBERTa."""
        super().__init__()
        self.cfg = cfg
        v = cfg.variant
        self.adapters = nn.ModuleDict()
        for m, dims in (("speech", speech_dims), ("text", text_dims)):
            if v.has(m):
                if dims is None:
                    raise ValueError(f"variant uses {m} but no {m} encoder dims were given")
                self.adapters[m] = LayerAdapter(dims[0], dims[1], cfg, v.layer_adapter)
        self.context = None
        if v.has("context"):
            if context_dim is None:
                raise ValueError("variant uses context but no Whisper d_model was given")
            self.context = ContextProjection(context_dim, cfg)
        self.fusion = MultimodalFusion(cfg) if v.multimodal_fusion else None
        pooled = self.fusion.num_pooled if self.fusion is not None else len(v.modalities)
        self.dropout = nn.Dropout(cfg.dropout)
        self.classifier = nn.Linear(pooled * cfg.d_model, len(cfg.labels))   # eq. (9)

    def input_names(self) -> list[str]:
        names = []
        for m in self.cfg.variant.modalities:
            names += [f"{m}_states", f"{m}_mask"]
        return names

    def forward(self, *inputs: torch.Tensor):
        mods = self.cfg.variant.modalities
        if len(inputs) != 2 * len(mods):
            raise ValueError(f"EmotionHead expects {self.input_names()}, got {len(inputs)} tensors")
        seqs, masks = {}, {}
        for i, m in enumerate(mods):
            states, mask = inputs[2 * i], inputs[2 * i + 1]
            seqs[m] = self.context(states) if m == "context" else self.adapters[m](states)
            masks[m] = mask
        if self.fusion is not None:
            fused = self.fusion(seqs, masks)
        else:
            fused = torch.cat([masked_max_pool(seqs[m], masks[m]) for m in mods], dim=-1)
        logits = self.classifier(self.dropout(fused))
        return logits, torch.softmax(logits, dim=-1)                          # eq. (9)
