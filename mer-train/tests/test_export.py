"""The export command on local checkpoint folders (the same code as for hub ids), checksums and
manifest validation, and a head that does not fit its encoders."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil

import pytest
import torch
from transformers import GenerationConfig, PreTrainedTokenizerFast, Wav2Vec2FeatureExtractor

from mer_train.__main__ import main
from mer_train.bundle import BundleError, load_bundle
from mer_train.export import save_head_checkpoint
from mer_train.hub import load_parts
from mer_train.onnx_pipeline import OnnxPipeline
from mer_train.reference import ReferencePipeline
from mer_train.testbundles import build_parts

from .conftest import COMPAT_V1, TESTDATA, max_diff, speechlike


def _save_checkpoints(parts, root):
    """Write the parts as Hugging Face checkpoint folders, as a user's hub download would look."""
    dirs = {k: root / k for k in ("wavlm", "roberta", "whisper")}
    parts.wavlm.save_pretrained(dirs["wavlm"])
    Wav2Vec2FeatureExtractor(do_normalize=False, return_attention_mask=False).save_pretrained(dirs["wavlm"])
    parts.roberta.save_pretrained(dirs["roberta"])
    PreTrainedTokenizerFast(tokenizer_object=parts.text_tokenizer, pad_token="<pad>").save_pretrained(dirs["roberta"])
    d = parts.decoding
    parts.whisper.generation_config = GenerationConfig(
        decoder_start_token_id=d.start_sequence[0], eos_token_id=d.end_token, pad_token_id=d.end_token,
        no_timestamps_token_id=d.no_timestamps_token, suppress_tokens=list(d.suppress_tokens),
        begin_suppress_tokens=list(d.begin_suppress_tokens), is_multilingual=False)
    parts.whisper.save_pretrained(dirs["whisper"])
    parts.feature_extractor.save_pretrained(dirs["whisper"])
    PreTrainedTokenizerFast(tokenizer_object=parts.asr_tokenizer).save_pretrained(dirs["whisper"])
    head = root / "head.pt"
    save_head_checkpoint(head, parts)
    return dirs, head


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("ckpt")
    parts = build_parts("tiny-a", seed=3)
    dirs, head = _save_checkpoints(parts, root)
    out = root / "bundle"
    rc = main(["export", "--wavlm", str(dirs["wavlm"]), "--roberta", str(dirs["roberta"]), "--whisper",
               str(dirs["whisper"]), "--head", str(head), "--out", str(out), "--bundle-id", "from-folders",
               "--max-new-tokens", "12"])
    assert rc == 0
    return dirs, head, out, parts


def test_export_from_checkpoint_folders_matches_reference(exported):
    dirs, head, out, parts = exported
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask, "the bundle folder has the usual mode, not mkdtemp's 0700"
    # The oracle is independent of the loading code under test: the PyTorch parts the checkpoint
    # folders were written from (never read back through hub.load_parts), with the CLI's setting.
    ref = ReferencePipeline(dataclasses.replace(
        parts, decoding=dataclasses.replace(parts.decoding, max_new_tokens=12)))
    pipe = OnnxPipeline(out)
    assert pipe.m["whisper"]["decoding"]["max_new_tokens"] == 12
    assert pipe.m["whisper"]["source"] == str(dirs["whisper"])
    # the checkpoint's generation config names no no-speech token: found in the tokenizer by name
    assert pipe.m["whisper"]["decoding"]["no_speech_token"] == parts.asr_tokenizer.token_to_id("<|nospeech|>")
    assert pipe.m["speech_decision"] == {"no_speech_threshold": 0.6, "logprob_threshold": -1.0,
                                         "compression_ratio_threshold": 2.4}
    for n in (12000, 30000):
        x = speechlike(n, n)
        r, o = ref.run(x), pipe.run(x)
        assert o.asr_tokens == r.asr_tokens
        assert o.transcript == r.transcript
        assert max_diff(o.probabilities, r.probabilities) <= 1e-4
        assert abs(o.evidence.no_speech_prob - r.evidence.no_speech_prob) <= 1e-4
        assert abs(o.evidence.avg_logprob - r.evidence.avg_logprob) <= 1e-4


def test_export_writes_the_speech_decision_options(exported, tmp_path):
    dirs, head, _, _ = exported
    out = tmp_path / "tuned"
    rc = main(["export", "--wavlm", str(dirs["wavlm"]), "--roberta", str(dirs["roberta"]), "--whisper",
               str(dirs["whisper"]), "--head", str(head), "--out", str(out), "--bundle-id", "tuned",
               "--max-new-tokens", "12", "--no-speech-threshold", "0.5", "--logprob-threshold", "-0.7",
               "--compression-ratio-threshold", "2.0"])
    assert rc == 0
    assert load_bundle(out)["speech_decision"] == {"no_speech_threshold": 0.5, "logprob_threshold": -0.7,
                                                   "compression_ratio_threshold": 2.0}


def test_a_tokenizer_without_a_no_speech_token_gives_null():
    from tokenizers import Tokenizer, models

    from mer_train.tokenization import decoding_from_generation_config, no_speech_token_id

    parts = build_parts("tiny-a")
    d = parts.decoding
    gen = GenerationConfig(decoder_start_token_id=d.start_sequence[0], eos_token_id=d.end_token,
                           no_timestamps_token_id=d.no_timestamps_token, is_multilingual=False)
    bare = Tokenizer(models.BPE())
    assert decoding_from_generation_config(gen, 8, tokenizer=bare).no_speech_token is None
    assert decoding_from_generation_config(gen, 8, tokenizer=parts.asr_tokenizer).no_speech_token == d.no_speech_token
    gen.no_speech_token_id = 7   # the generation config's own entry wins
    assert no_speech_token_id(gen, parts.asr_tokenizer) == 7
    bare.add_special_tokens(["<|nocaptions|>"])   # the name in the first hub vocabularies
    assert no_speech_token_id(GenerationConfig(), bare) == bare.token_to_id("<|nocaptions|>")


def test_loading_the_folders_back_gives_the_parts_they_were_written_from(exported):
    dirs, head, _, parts = exported
    loaded = load_parts(str(dirs["wavlm"]), str(dirs["roberta"]), str(dirs["whisper"]), head, max_new_tokens=12)
    for name in ("wavlm", "roberta", "whisper"):
        a, b = getattr(parts, name).state_dict(), getattr(loaded, name).state_dict()
        assert a.keys() == b.keys(), name
        for k in a:
            assert torch.equal(a[k], b[k]), f"{name}.{k}"
    want = dataclasses.replace(parts.decoding, max_new_tokens=12)
    # the same settings; the suppress list may name a token twice (the generation config's list plus
    # the start token) and that changes nothing
    assert set(loaded.decoding.suppress_tokens) == set(want.suppress_tokens)
    assert dataclasses.replace(loaded.decoding, suppress_tokens=want.suppress_tokens) == want


def test_head_that_does_not_fit_the_encoder_names_the_field(exported, tmp_path):
    dirs, head, _, _ = exported
    other = build_parts("tiny-b", seed=0)
    other.wavlm.save_pretrained(tmp_path / "wavlm-b")
    with pytest.raises(ValueError, match=r"wavlm.hidden_size=32.*wavlm.hidden_size=24"):
        load_parts(str(tmp_path / "wavlm-b"), str(dirs["roberta"]), str(dirs["whisper"]), head)


def test_not_a_head_checkpoint(tmp_path):
    bad = tmp_path / "x.pt"
    torch.save({"weights": torch.zeros(2)}, bad)
    with pytest.raises(ValueError, match="not a mer-train head checkpoint"):
        load_parts("a", "b", "c", bad)


@pytest.fixture()
def bundle_copy(tmp_path):
    dst = tmp_path / "b"
    shutil.copytree(TESTDATA / "bundles" / "tiny-a", dst)
    return dst


def test_changed_byte_in_any_file_is_caught(bundle_copy):
    manifest = load_bundle(bundle_copy)
    for name in manifest["files"]:
        f = bundle_copy / name
        data = bytearray(f.read_bytes())
        data[len(data) // 2] ^= 0x01
        f.write_bytes(bytes(data))
        with pytest.raises(BundleError, match=rf"{name}: SHA-256 .* does not match"):
            load_bundle(bundle_copy)
        data[len(data) // 2] ^= 0x01
        f.write_bytes(bytes(data))
    load_bundle(bundle_copy)


def test_missing_file_is_caught(bundle_copy):
    (bundle_copy / "head.onnx").unlink()
    with pytest.raises(BundleError, match="head.onnx: listed in bundle.json but missing"):
        load_bundle(bundle_copy)


@pytest.mark.parametrize("path,value,message", [
    (("format_version",), 3, "format_version"),
    (("speech_decision", "no_speech_threshold"), 1.5, "speech_decision/no_speech_threshold"),
    (("speech_decision", "logprob_threshold"), "low", "speech_decision/logprob_threshold"),
    (("whisper", "decoding", "no_speech_token"), -3, "whisper/decoding/no_speech_token"),
    (("labels",), ["only-one"], "labels"),
    (("audio", "sample_rate"), 0, "audio/sample_rate"),
    (("variant", "modalities"), ["smell"], "variant/modalities/0"),
    (("whisper", "decoding", "end_token"), -1, "whisper/decoding/end_token"),
])
def test_manifest_schema_names_the_bad_field(bundle_copy, path, value, message):
    m = json.loads((bundle_copy / "bundle.json").read_text())
    node = m
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    (bundle_copy / "bundle.json").write_text(json.dumps(m))
    with pytest.raises(BundleError, match=f"field {message}"):
        load_bundle(bundle_copy)


@pytest.mark.parametrize("path,message", [
    (("speech_decision",), "field \\(root\\): 'speech_decision' is a required property"),
    (("whisper", "decoding", "no_speech_token"), "field whisper/decoding: 'no_speech_token' is a required property"),
])
def test_format_2_requires_the_speech_fields(bundle_copy, path, message):
    m = json.loads((bundle_copy / "bundle.json").read_text())
    node = m
    for k in path[:-1]:
        node = node[k]
    del node[path[-1]]
    (bundle_copy / "bundle.json").write_text(json.dumps(m))
    with pytest.raises(BundleError, match=message):
        load_bundle(bundle_copy)


def test_a_graph_that_does_not_fit_its_format_is_refused(tmp_path):
    """A format-1 decoder (logits [B, V]) declared as format 2, and the reverse."""
    old = tmp_path / "old"
    shutil.copytree(COMPAT_V1 / "tiny-b", old)
    m = json.loads((old / "bundle.json").read_text())
    m.update(format_version=2, speech_decision={"no_speech_threshold": 0.6, "logprob_threshold": -1.0,
                                                "compression_ratio_threshold": 2.4})
    m["whisper"]["decoding"]["no_speech_token"] = None
    (old / "bundle.json").write_text(json.dumps(m))
    with pytest.raises(BundleError, match=r"whisper_decoder output 'logits' has shape \[\?, 520\], format 2"):
        load_bundle(old)
    new = tmp_path / "new"
    shutil.copytree(TESTDATA / "bundles" / "tiny-b", new)
    m = json.loads((new / "bundle.json").read_text())
    m["format_version"] = 1
    (new / "bundle.json").write_text(json.dumps(m))
    with pytest.raises(BundleError, match=r"logits' has shape \[\?, \?, 520\], format 1 .* need \[\?, 520\]"):
        load_bundle(new)


def test_verify_cli(bundle_copy, capsys):
    assert main(["verify", str(bundle_copy)]) == 0
    (bundle_copy / "text_tokenizer.json").write_text("{}")
    assert main(["verify", str(bundle_copy)]) == 1
    assert "text_tokenizer.json" in capsys.readouterr().err


def test_int8_bundle_is_valid_and_agrees_with_fp32(tmp_path):
    from mer_train.fixtures import read_array
    from mer_train.quantize import quantize_bundle

    m = quantize_bundle(TESTDATA / "bundles" / "tiny-a", tmp_path / "q")
    assert m["bundle_id"] == "tiny-a-int8"
    assert load_bundle(tmp_path / "q")["files"]["head.onnx"]["bytes"] < \
        load_bundle(TESTDATA / "bundles" / "tiny-a")["files"]["head.onnx"]["bytes"]
    fp32, int8 = OnnxPipeline(TESTDATA / "bundles" / "tiny-a"), OnnxPipeline(tmp_path / "q")
    fx = json.loads((TESTDATA / "fixtures" / "tiny-a" / "fixtures.json").read_text())
    for case in fx["cases"]:
        w = read_array(TESTDATA / "fixtures" / "tiny-a", case["arrays"]["waveform"])
        a, b = fp32.run(w, transcript=case["sentence"]), int8.run(w, transcript=case["sentence"])
        assert a.label == b.label
        assert max_diff(a.probabilities, b.probabilities) <= 0.05


def test_an_unlisted_file_in_the_bundle_is_refused(bundle_copy):
    """As the Java loader: a bundle folder holds exactly the files its manifest lists."""
    (bundle_copy / "notes.txt").write_text("added after export")
    with pytest.raises(BundleError, match="notes.txt not listed in bundle.json"):
        load_bundle(bundle_copy)


def test_quantize_never_touches_its_source(bundle_copy, tmp_path, capsys):
    before = {f.name: f.read_bytes() for f in bundle_copy.iterdir()}
    assert main(["quantize", str(bundle_copy), str(bundle_copy)]) == 2
    assert "must not be the source bundle" in capsys.readouterr().err
    assert {f.name: f.read_bytes() for f in bundle_copy.iterdir()} == before
    other = tmp_path / "busy"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    assert main(["quantize", str(bundle_copy), str(other)]) == 2
    assert "not empty (use --overwrite)" in capsys.readouterr().err
    assert (other / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("args,message", [
    (["--max-new-tokens", "128"], "max_new_tokens=128"),
    (["--bundle-id", "not a valid id!"], "field bundle_id"),
])
def test_export_checks_settings_before_writing_anything(exported, tmp_path, capsys, args, message):
    dirs, head, _, _ = exported
    out = tmp_path / "never"
    base = {"--bundle-id": "ok", "--max-new-tokens": "12"}
    for k, v in zip(args[::2], args[1::2]):
        base[k] = v
    argv = ["export", "--wavlm", str(dirs["wavlm"]), "--roberta", str(dirs["roberta"]), "--whisper",
            str(dirs["whisper"]), "--head", str(head), "--out", str(out)]
    for k, v in base.items():
        argv += [k, v]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".never.")], "temporary folder left behind"
