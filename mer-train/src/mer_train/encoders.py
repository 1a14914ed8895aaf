"""The three encoders of the paper (section II-C), wrapped so each one exports to ONNX as it runs
in PyTorch and gives a padded batch item the same result as that item alone.

- ``SpeechEncoder``: WavLM, every hidden state (embedding output + each layer), stacked.
- ``TextEncoder``: RoBERTa on the ASR transcript, every hidden state, stacked.
- ``WhisperEncoderWithCrossKV``: Whisper's encoder (frozen, the context features) plus the
  cross-attention keys/values of every decoder layer, so greedy decoding never recomputes them.
- ``WhisperDecoderStep``: one decoding step with the self-attention cache as plain tensors.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def context_frames(num_samples: torch.Tensor | int, hop_samples: int, encoder_frames: int):
    """How many Whisper encoder frames belong to an utterance of ``num_samples`` samples.

    Whisper's encoder runs over the padded 30 s window; its frames are 50 Hz (mel hop 160 x conv
    stride 2 = 320 samples). An utterance owns the frames that start inside it:
    ``min(encoder_frames, ceil(num_samples / 320))``. WavLM's frames are also 50 Hz, so the speech
    and context sequences of one utterance have (almost) the same length.
    """
    if isinstance(num_samples, int):
        return min(encoder_frames, -(-num_samples // hop_samples))
    return torch.clamp(torch.div(num_samples + hop_samples - 1, hop_samples, rounding_mode="floor"),
                       max=encoder_frames)


class SpeechEncoder(nn.Module):
    """WavLM (HF ``WavLMModel``) -> stacked hidden states [B, L+1, T, D] and frame mask [B, T].

    wavlm-base normalises its first convolution with a GroupNorm over time (one group per
    channel). Over a zero-padded batch that norm would see the padding; here its statistics are
    taken over each item's real frames only, so a padded item equals the item alone (for batch 1
    without padding this is exactly HF's computation). Everything after the feature extractor is
    HF's own modules, called as ``WavLMModel.forward`` calls them.
    """

    def __init__(self, wavlm: nn.Module, normalize_waveform: bool = False) -> None:
        super().__init__()
        config = wavlm.config
        if config.do_stable_layer_norm or config.feat_extract_norm != "group":
            raise ValueError("SpeechEncoder supports WavLM checkpoints with feat_extract_norm='group' and "
                             "do_stable_layer_norm=False (wavlm-base, wavlm-base-plus); got "
                             f"feat_extract_norm={config.feat_extract_norm!r}, "
                             f"do_stable_layer_norm={config.do_stable_layer_norm}")
        self.wavlm = wavlm
        self.normalize_waveform = normalize_waveform

    @property
    def hidden_size(self) -> int:
        return self.wavlm.config.hidden_size

    @property
    def num_layers(self) -> int:
        return self.wavlm.config.num_hidden_layers

    def frame_lengths(self, sample_lengths: torch.Tensor) -> torch.Tensor:
        return self.wavlm._get_feat_extract_output_lengths(sample_lengths).to(torch.long)

    def forward(self, waveform: torch.Tensor, waveform_mask: torch.Tensor):
        x = waveform * waveform_mask.to(waveform.dtype)
        sample_lengths = waveform_mask.to(torch.long).sum(-1)
        if self.normalize_waveform:
            # Wav2Vec2FeatureExtractor.zero_mean_unit_var_norm over the real samples only
            m = waveform_mask.to(x.dtype)
            n = m.sum(-1, keepdim=True).clamp(min=1)
            mean = (x * m).sum(-1, keepdim=True) / n
            var = (((x - mean) * m) ** 2).sum(-1, keepdim=True) / n
            x = (x - mean) / torch.sqrt(var + 1e-7) * m

        conv_layers = self.wavlm.feature_extractor.conv_layers
        first = conv_layers[0]
        h = first.conv(x[:, None, :])
        k0, s0 = first.conv.kernel_size[0], first.conv.stride[0]
        len0 = torch.div(sample_lengths - k0, s0, rounding_mode="floor") + 1
        m0 = (torch.arange(h.shape[-1], device=h.device)[None, :] < len0[:, None]).to(h.dtype)[:, None, :]
        cnt = m0.sum(-1, keepdim=True).clamp(min=1)
        mean = (h * m0).sum(-1, keepdim=True) / cnt
        var = (((h - mean) * m0) ** 2).sum(-1, keepdim=True) / cnt
        gn = first.layer_norm
        h = (h - mean) / torch.sqrt(var + gn.eps) * gn.weight[None, :, None] + gn.bias[None, :, None]
        h = first.activation(h)
        for layer in conv_layers[1:]:
            h = layer(h)
        h = h.transpose(1, 2)

        frame_len = self.frame_lengths(sample_lengths)
        frame_mask = (torch.arange(h.shape[1], device=h.device)[None, :] < frame_len[:, None]).to(torch.long)

        hidden, _ = self.wavlm.feature_projection(h)
        enc = self.wavlm.encoder
        hidden = hidden * frame_mask[..., None].to(hidden.dtype)  # HF: hidden_states[~mask] = 0
        hidden = hidden + enc.pos_conv_embed(hidden)
        hidden = enc.layer_norm(hidden)
        hidden = enc.dropout(hidden)
        states = [hidden]
        position_bias = None
        for i, layer in enumerate(enc.layers):
            if self.training and i > 0 and torch.rand([]) < enc.config.layerdrop:
                states.append(hidden)
                continue
            hidden, position_bias = layer(hidden, attention_mask=frame_mask, position_bias=position_bias, index=i)
            states.append(hidden)
        return torch.stack(states, dim=1), frame_mask


class TextEncoder(nn.Module):
    """RoBERTa (HF ``RobertaModel``) -> stacked hidden states [B, L+1, n, D]."""

    def __init__(self, roberta: nn.Module) -> None:
        super().__init__()
        self.roberta = roberta

    @property
    def hidden_size(self) -> int:
        return self.roberta.config.hidden_size

    @property
    def num_layers(self) -> int:
        return self.roberta.config.num_hidden_layers

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        out = self.roberta(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
        return torch.stack(tuple(out.hidden_states), dim=1)


class WhisperEncoderWithCrossKV(nn.Module):
    """log-mel [B, n_mels, F] -> encoder states [B, F/2, d] and cross K/V [layers, B, F/2, d].

    Runs the same modules as HF ``WhisperEncoder.forward``; unlike it, the positional embedding is
    cut to the input's length, so a shorter window than 30 s is possible (off by default: the
    exporter and the SDK pad to the model's window, which is what Whisper was trained on).
    """

    def __init__(self, whisper_model: nn.Module) -> None:
        super().__init__()
        self.encoder = whisper_model.get_encoder()
        self.decoder_layers = whisper_model.get_decoder().layers

    def encode(self, log_mel: torch.Tensor) -> torch.Tensor:
        enc = self.encoder
        x = F.gelu(enc.conv1(log_mel))
        x = F.gelu(enc.conv2(x))
        x = x.permute(0, 2, 1)
        x = x + enc.embed_positions.weight[: x.shape[1]]
        for layer in enc.layers:
            x = layer(x, None)
        return enc.layer_norm(x)

    def forward(self, log_mel: torch.Tensor):
        states = self.encode(log_mel)
        cross_k = torch.stack([layer.encoder_attn.k_proj(states) for layer in self.decoder_layers])
        cross_v = torch.stack([layer.encoder_attn.v_proj(states) for layer in self.decoder_layers])
        return states, cross_k, cross_v


def _attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, heads: int, scaling: float,
            mask: torch.Tensor | None = None) -> torch.Tensor:
    """Multi-head attention on [B, S, d] / [B, P, d] with an optional additive mask [S, P]."""
    b, s, d = q.shape
    hd = d // heads
    q = q.view(b, s, heads, hd).transpose(1, 2)
    k = k.reshape(b, -1, heads, hd).transpose(1, 2)
    v = v.reshape(b, -1, heads, hd).transpose(1, 2)
    w = torch.matmul(q, k.transpose(2, 3)) * scaling
    if mask is not None:
        w = w + mask
    w = torch.softmax(w, dim=-1)
    return torch.matmul(w, v).transpose(1, 2).reshape(b, s, d)


class WhisperDecoderStep(nn.Module):
    """One greedy step: tokens [B, S] + self cache [layers, B, P, d] -> logits at every input
    position [B, S, vocab] (format 2: the first step's position 0 gives Whisper's no-speech
    probability) and the grown cache [layers, B, P+S, d]. Same math as HF ``WhisperDecoder`` (pre-norm
    layers, causal self-attention, cross-attention, GELU FFN, final LayerNorm, tied output)."""

    def __init__(self, whisper_model: nn.Module) -> None:
        super().__init__()
        self.decoder = whisper_model.get_decoder()
        self.proj_out = whisper_model.proj_out
        self.heads = whisper_model.config.decoder_attention_heads

    def forward(self, tokens, self_k, self_v, cross_k, cross_v):
        dec = self.decoder
        past = self_k.shape[2]
        steps = tokens.shape[1]
        # Whisper ties the output projection to the token embedding. Both read one transposed copy
        # [d, vocab], so the exported graph holds the matrix once (a plain `proj_out` would get a
        # second, constant-folded transposed copy: +160 MB for whisper-small).
        tied = self.proj_out.weight is dec.embed_tokens.weight
        table = dec.embed_tokens.weight.t() if tied else None
        emb = table[:, tokens].permute(1, 2, 0) if tied else dec.embed_tokens(tokens)
        x = emb + dec.embed_positions.weight[past: past + steps]
        q_pos = torch.arange(steps, device=tokens.device)[:, None] + past
        k_pos = torch.arange(past + steps, device=tokens.device)[None, :]
        causal = torch.zeros(q_pos.shape[0], k_pos.shape[1], dtype=x.dtype, device=x.device)
        causal = causal.masked_fill(k_pos > q_pos, torch.finfo(x.dtype).min)
        new_k, new_v = [], []
        for i, layer in enumerate(dec.layers):
            sa = layer.self_attn
            h = layer.self_attn_layer_norm(x)
            k = torch.cat([self_k[i], sa.k_proj(h)], dim=1)
            v = torch.cat([self_v[i], sa.v_proj(h)], dim=1)
            new_k.append(k)
            new_v.append(v)
            x = x + sa.out_proj(_attend(sa.q_proj(h), k, v, self.heads, sa.scaling, causal))
            ca = layer.encoder_attn
            h = layer.encoder_attn_layer_norm(x)
            x = x + ca.out_proj(_attend(ca.q_proj(h), cross_k[i], cross_v[i], self.heads, ca.scaling))
            h = layer.final_layer_norm(x)
            x = x + layer.fc2(layer.activation_fn(layer.fc1(h)))
        x = dec.layer_norm(x)
        logits = torch.matmul(x, table) if tied else self.proj_out(x)
        return logits, torch.stack(new_k), torch.stack(new_v)


def empty_cache(decoder_layers: int, batch: int, d_model: int) -> torch.Tensor:
    return torch.zeros(decoder_layers, batch, 0, d_model)
