"""Configuration of the fusion head and of the model variant.

The paper (section II) fixes the structure but not these sizes; every one of them is a config
value with a default, written into the bundle manifest, and documented in docs/model-bundle.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MODALITIES = ("speech", "text", "context")


@dataclass(frozen=True)
class Variant:
    """Which of the paper's Table I/II variants: modalities, layer adapter (LA), fusion (MF)."""

    modalities: tuple[str, ...] = MODALITIES
    layer_adapter: bool = True
    multimodal_fusion: bool = True

    def __post_init__(self) -> None:
        mods = tuple(m for m in MODALITIES if m in self.modalities)
        unknown = set(self.modalities) - set(MODALITIES)
        if unknown:
            raise ValueError(f"variant.modalities: unknown {sorted(unknown)}; use {list(MODALITIES)}")
        if not mods:
            raise ValueError("variant.modalities: must name at least one of speech, text, context")
        object.__setattr__(self, "modalities", mods)

    def has(self, modality: str) -> bool:
        return modality in self.modalities

    @property
    def needs_asr(self) -> bool:
        """Whisper runs when the transcript (text) or the encoder states (context) are used."""
        return self.has("text") or self.has("context")

    def to_dict(self) -> dict[str, Any]:
        return {"modalities": list(self.modalities), "layer_adapter": self.layer_adapter,
                "multimodal_fusion": self.multimodal_fusion}

    @staticmethod
    def from_dict(d: dict[str, Any]) -> "Variant":
        return Variant(tuple(d["modalities"]), bool(d["layer_adapter"]), bool(d["multimodal_fusion"]))


@dataclass(frozen=True)
class HeadConfig:
    """Sizes of the layer adapters, the MF module and the classifier (our choices, see docs)."""

    labels: tuple[str, ...] = ("neutral", "happy", "sad", "angry")
    d_model: int = 256
    num_heads: int = 4
    ffn_dim: int = 1024
    adapter_activation: str = "gelu"
    dropout: float = 0.5          # paper III-C: dropout 0.5 (classifier input and adapters)
    attention_dropout: float = 0.1  # inside the transformer / MLF layers
    variant: Variant = field(default_factory=Variant)

    def __post_init__(self) -> None:
        if len(self.labels) < 2:
            raise ValueError(f"head.labels: need at least 2 labels, got {list(self.labels)}")
        if len(set(self.labels)) != len(self.labels):
            raise ValueError(f"head.labels: duplicate label in {list(self.labels)}")
        if self.d_model % self.num_heads:
            raise ValueError(f"head.d_model ({self.d_model}) must be divisible by head.num_heads ({self.num_heads})")
        if self.adapter_activation not in ACTIVATIONS:
            raise ValueError(f"head.adapter_activation: {self.adapter_activation!r} not in {sorted(ACTIVATIONS)}")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["labels"] = list(self.labels)
        d["variant"] = self.variant.to_dict()
        return d

    @staticmethod
    def from_dict(d: dict[str, Any]) -> "HeadConfig":
        d = dict(d)
        d["labels"] = tuple(d["labels"])
        d["variant"] = Variant.from_dict(d["variant"])
        return HeadConfig(**d)


ACTIVATIONS = {"gelu", "relu", "tanh", "silu"}


# whisper-small(.en)'s transformer shapes: the full-size test bundle and the random:base training
# preset share them (random weights, the paper's compute).
WHISPER_SMALL_SHAPES = dict(d_model=768, encoder_layers=12, decoder_layers=12, encoder_attention_heads=12,
                            decoder_attention_heads=12, encoder_ffn_dim=3072, decoder_ffn_dim=3072,
                            max_target_positions=448)
