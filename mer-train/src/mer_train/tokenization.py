"""Tokenizers for bundles: saved as Hugging Face ``tokenizer.json`` (loadable by DJL's
HuggingFaceTokenizer).

Real bundles take them from the checkpoints (``AutoTokenizer(...).backend_tokenizer``). Test and
demo bundles train small byte-level BPE tokenizers here, offline, so nothing assumes GPT-2/RoBERTa
token ids: every special id is looked up and written into the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

# Whisper's special tokens (openai/whisper tokenizer.py), appended after the BPE merges as in Whisper.
WHISPER_SPECIALS = ("<|endoftext|>", "<|startoftranscript|>", "<|en|>", "<|translate|>", "<|transcribe|>",
                    "<|startoflm|>", "<|startofprev|>", "<|nospeech|>", "<|notimestamps|>")
ROBERTA_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


def _byte_level_bpe(texts: list[str], vocab_size: int, specials: tuple[str, ...], specials_first: bool) -> Tokenizer:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=1, show_progress=False,
                                  special_tokens=list(specials) if specials_first else [],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer=trainer)
    if not specials_first:
        tok.add_special_tokens(list(specials))
    return tok


def train_text_tokenizer(texts: list[str], vocab_size: int) -> Tokenizer:
    """RoBERTa-style: <s>=0 <pad>=1 </s>=2 <unk>=3, post-processor adds <s> ... </s>."""
    tok = _byte_level_bpe(texts, vocab_size, ROBERTA_SPECIALS, specials_first=True)
    tok.post_processor = processors.RobertaProcessing(("</s>", tok.token_to_id("</s>")),
                                                      ("<s>", tok.token_to_id("<s>")),
                                                      trim_offsets=True, add_prefix_space=False)
    return tok


def train_asr_tokenizer(texts: list[str], vocab_size: int) -> Tokenizer:
    """Whisper-style: byte-level BPE, no post-processor, specials after the merges."""
    return _byte_level_bpe(texts, vocab_size - len(WHISPER_SPECIALS), WHISPER_SPECIALS, specials_first=False)


@dataclass(frozen=True)
class DecodingSettings:
    """Greedy decoding as openai/whisper's DecodingTask does it without timestamps."""

    start_sequence: tuple[int, ...]
    end_token: int
    no_timestamps_token: int
    suppress_tokens: tuple[int, ...]
    begin_suppress_tokens: tuple[int, ...]
    max_new_tokens: int
    no_speech_token: int | None = None   # <|nospeech|>; None when the tokenizer has none

    def to_dict(self) -> dict:
        return {"start_sequence": list(self.start_sequence), "end_token": self.end_token,
                "no_timestamps_token": self.no_timestamps_token,
                "suppress_tokens": sorted(set(self.suppress_tokens)),
                "begin_suppress_tokens": list(self.begin_suppress_tokens),
                "max_new_tokens": self.max_new_tokens, "no_speech_token": self.no_speech_token}


def decoding_for_trained_tokenizer(tok: Tokenizer, max_new_tokens: int) -> DecodingSettings:
    """Settings for a tokenizer from ``train_asr_tokenizer``, like whisper-*.en's: start with
    <|startoftranscript|><|notimestamps|>, suppress the other task/control tokens, and at the first
    position the bare space and the end token ("suppress blank")."""
    ids = {t: tok.token_to_id(t) for t in WHISPER_SPECIALS}
    space = tok.token_to_id("\u0120")  # byte-level BPE's " "
    suppress = [ids[t] for t in ("<|startoftranscript|>", "<|en|>", "<|translate|>", "<|transcribe|>",
                                 "<|startoflm|>", "<|startofprev|>", "<|nospeech|>")]
    return DecodingSettings(start_sequence=(ids["<|startoftranscript|>"], ids["<|notimestamps|>"]),
                            end_token=ids["<|endoftext|>"], no_timestamps_token=ids["<|notimestamps|>"],
                            suppress_tokens=tuple(suppress),
                            begin_suppress_tokens=tuple(x for x in (space, ids["<|endoftext|>"]) if x is not None),
                            max_new_tokens=max_new_tokens, no_speech_token=ids["<|nospeech|>"])


# The no-speech token's names: openai/whisper's tokenizer calls it <|nospeech|>; the vocabularies of
# the first (.en and v1) checkpoints on the hub spell the same token <|nocaptions|>.
NO_SPEECH_NAMES = ("<|nospeech|>", "<|nocaptions|>")


def no_speech_token_id(gen, tokenizer: Tokenizer | None = None) -> int | None:
    """The id of Whisper's no-speech token, found by name: the generation config's
    ``no_speech_token_id`` when it has one, else the tokenizer's token of that name; None when
    neither has it. (transformers' own no-speech detection assumes ``no_timestamps_token_id - 1``;
    we look it up instead, so a vocabulary without the token says so.)"""
    tid = getattr(gen, "no_speech_token_id", None)
    if tid is not None:
        return int(tid)
    if tokenizer is not None:
        for name in NO_SPEECH_NAMES:
            tid = tokenizer.token_to_id(name)
            if tid is not None:
                return int(tid)
    return None


def decoding_from_generation_config(gen, max_new_tokens: int, language: str | None = None,
                                    tokenizer: Tokenizer | None = None) -> DecodingSettings:
    """Settings from a real Whisper checkpoint's generation_config (hub export path); the
    no-speech token from the generation config or ``tokenizer`` (see ``no_speech_token_id``)."""
    start = [gen.decoder_start_token_id]
    if getattr(gen, "is_multilingual", False):
        lang = language or "en"
        key = f"<|{lang}|>"
        if key not in gen.lang_to_id:
            raise ValueError(f"--language {lang!r}: not a language of this Whisper checkpoint")
        start += [gen.lang_to_id[key], gen.task_to_id["transcribe"]]
    else:
        for _, tid in sorted(getattr(gen, "forced_decoder_ids", None) or []):
            if tid is not None and tid != gen.no_timestamps_token_id:
                start.append(tid)
    start.append(gen.no_timestamps_token_id)
    suppress = list(gen.suppress_tokens or [])
    # openai/whisper's "-1" also bans the task and control tokens during sampling
    for name in ("transcribe", "translate"):
        tid = getattr(gen, "task_to_id", {}).get(name) if hasattr(gen, "task_to_id") else None
        if tid is not None:
            suppress.append(tid)
    suppress.append(gen.decoder_start_token_id)
    if getattr(gen, "prev_sot_token_id", None) is not None:
        suppress.append(gen.prev_sot_token_id)
    no_speech = no_speech_token_id(gen, tokenizer)
    if no_speech is not None:
        suppress.append(no_speech)
    return DecodingSettings(start_sequence=tuple(start), end_token=gen.eos_token_id,
                            no_timestamps_token=gen.no_timestamps_token_id, suppress_tokens=tuple(suppress),
                            begin_suppress_tokens=tuple(gen.begin_suppress_tokens or []),
                            max_new_tokens=max_new_tokens, no_speech_token=no_speech)
