"""The full-size test bundle's ASR tokenizer has Whisper's proportions (see testbundles.WHISPER_ADDED_TOKENS)."""

import json

from mer_train.testbundles import WHISPER_ADDED_TOKENS, _fill_vocabulary, tokenizer_corpus
from mer_train.tokenization import train_asr_tokenizer


def test_filling_keeps_the_encoding_and_has_whispers_added_token_count():
    tok = train_asr_tokenizer(tokenizer_corpus(0, 300), 400)
    text = "the weather is lovely today"
    filled = _fill_vocabulary(tok, 51864)
    assert filled.get_vocab_size() == 51864
    assert filled.encode(text).ids == tok.encode(text).ids
    assert len(json.loads(filled.to_str())["added_tokens"]) == WHISPER_ADDED_TOKENS
    assert filled.id_to_token(51863) is not None
    assert filled.id_to_token(tok.get_vocab_size()) == "<w0>"


def test_a_small_fill_is_all_added_tokens():
    tok = train_asr_tokenizer(tokenizer_corpus(0, 300), 400)
    filled = _fill_vocabulary(tok, tok.get_vocab_size() + 10)
    assert filled.get_vocab_size() == tok.get_vocab_size() + 10
    assert filled.id_to_token(tok.get_vocab_size() + 9) == "<w9>"
