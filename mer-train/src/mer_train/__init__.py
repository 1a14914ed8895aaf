"""mer-train: reference model, training recipe and bundle exporter for mer-sdk."""

__version__ = "0.1.0"
