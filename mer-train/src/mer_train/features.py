"""Whisper's log-mel spectrogram as an exportable module.

Matches transformers' ``WhisperFeatureExtractor`` (``_torch_extract_fbank_features``): a centred,
reflect-padded STFT with a periodic Hann window, power spectrum without the last frame, Slaney mel
filters, ``log10(max(x, 1e-10))``, ``max(x, max - 8)`` per item, then ``(x + 4) / 4``.

The STFT is written as a strided 1-D convolution with a fixed DFT basis instead of ``torch.stft``:
it exports to plain ONNX Conv/MatMul (no opset-17 STFT op needed by the runtime), runs on every
execution provider, and costs ~0.5 GFLOP for a 30 s window.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class WhisperLogMel(nn.Module):
    """waveform [B, N] -> log-mel [B, n_mels, N // hop_length]."""

    def __init__(self, mel_filters: np.ndarray, n_fft: int, hop_length: int) -> None:
        super().__init__()
        n_freq = n_fft // 2 + 1
        if mel_filters.shape[0] != n_freq:
            raise ValueError(f"mel_filters has {mel_filters.shape[0]} frequency bins, n_fft={n_fft} needs {n_freq}")
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.n_freq = n_freq
        window = torch.hann_window(n_fft, dtype=torch.float64)  # periodic, as torch.stft's caller uses
        k = torch.arange(n_freq, dtype=torch.float64)[:, None]
        n = torch.arange(n_fft, dtype=torch.float64)[None, :]
        angle = 2.0 * math.pi * k * n / n_fft
        basis = torch.cat([torch.cos(angle) * window, -torch.sin(angle) * window], dim=0)
        self.register_buffer("dft", basis.to(torch.float32)[:, None, :], persistent=False)
        self.register_buffer("mel", torch.from_numpy(np.asarray(mel_filters, dtype=np.float32).T.copy()),
                             persistent=False)

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        pad = self.n_fft // 2
        x = F.pad(waveform[:, None, :], (pad, pad), mode="reflect")
        spec = F.conv1d(x, self.dft, stride=self.hop_length)  # [B, 2 * n_freq, frames + 1]
        real, imag = spec[:, : self.n_freq], spec[:, self.n_freq:]
        power = (real * real + imag * imag)[:, :, :-1]  # Whisper drops the last STFT frame
        mel = torch.matmul(self.mel, power)
        log_spec = torch.clamp(mel, min=1e-10).log10()
        peak = log_spec.amax(dim=(1, 2), keepdim=True)
        log_spec = torch.maximum(log_spec, peak - 8.0)
        return (log_spec + 4.0) / 4.0


def pad_or_trim(samples: np.ndarray, n_samples: int) -> np.ndarray:
    """Zero-pad or cut a 1-D waveform to the Whisper window, as padding='max_length' does."""
    out = np.zeros(n_samples, dtype=np.float32)
    n = min(len(samples), n_samples)
    out[:n] = samples[:n]
    return out


def reference_log_mel(feature_extractor, samples: np.ndarray) -> np.ndarray:
    """transformers' own features for one utterance: [n_mels, frames]."""
    out = feature_extractor(samples, sampling_rate=feature_extractor.sampling_rate, return_tensors="np",
                            padding="max_length", truncation=True)
    return out["input_features"][0]
