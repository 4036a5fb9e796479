#!/usr/bin/env python3
"""Builds the tiny reference checkpoints and outputs that the Java model engine is tested against.

Each checkpoint is random, saved in BF16 in Hugging Face layout (config.json, safetensors, tokenizer.json), then
loaded back as float32 (the BF16 weights upcast, as the Java engine does) to compute the reference outputs, so Java
and PyTorch start from bit-identical weights and differ only by float32 rounding order.

Usage (on a machine with torch, transformers, tokenizers, safetensors; no network needed):
    python3 make_fixtures.py --out fixtures

Every fixture is built inside its own try block: one that fails is reported and the others are still written.
"""
import argparse
import json
import os
import shutil
import sys
import traceback

import numpy as np
import torch

import transformers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

torch.manual_seed(1234)
np.random.seed(1234)

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<fake_token_around_image>", "<image>",
            "<global-img>", "<end_of_utterance>", "<audio>"]

CORPUS = [
    "The camera on the loading dock saw a red truck arrive at 10:42 and leave at 10:57.",
    "User: What happened in the last five minutes? Assistant: A person walked past the gate twice.",
    "Frame from 00:05: a forklift moves two pallets towards the north door.",
    "Streaming video and audio inference runtime for platform engineers who run cameras all day.",
    "Kafka topics carry frames and audio through token merging and pruning stages into a model.",
    "Numbers 0123456789 and symbols !?.,;:'\"()[]{}<>-_=+*/\\ also appear in questions.",
    "Cafe creme, naive facade, Zurich, Malmo: accents and ümlauts matter; emoji too 🚚📷.",
    "the quick brown fox jumps over the lazy dog " * 3,
]

TEST_STRINGS = [
    "Hello world",
    "The camera saw a red truck at 10:42.",
    "  leading spaces and\ttabs\nand newlines\n\n",
    "Frame from 00:05:<fake_token_around_image><global-img><image><fake_token_around_image>",
    "ümlauts, café, 🚚 and 日本語",
    "<|im_start|>user\nWhat is on screen?<end_of_utterance>\nAssistant:",
    "",
]


def save_np(path, arr):
    np.save(path, np.ascontiguousarray(arr))


def build_tokenizer(out_dir):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS * 4, trainer)
    path = os.path.join(out_dir, "tokenizer.json")
    tok.save(path)
    cases = []
    for s in TEST_STRINGS:
        enc = tok.encode(s)
        cases.append({"text": s, "ids": enc.ids,
                      "decoded": tok.decode(enc.ids, skip_special_tokens=False),
                      "decoded_skip_special": tok.decode(enc.ids, skip_special_tokens=True)})
    with open(os.path.join(out_dir, "tokenizer_cases.json"), "w", encoding="utf-8") as f:
        json.dump({"vocab_size": tok.get_vocab_size(),
                   "special_ids": {s: tok.token_to_id(s) for s in SPECIALS},
                   "cases": cases}, f, ensure_ascii=False, indent=1)
    return tok


def manifest(model_dir):
    """Names, shapes and dtypes of every stored tensor, for debugging a mismatch."""
    from safetensors import safe_open
    out = {}
    for name in sorted(os.listdir(model_dir)):
        if name.endswith(".safetensors"):
            with safe_open(os.path.join(model_dir, name), "pt") as f:
                for k in f.keys():
                    t = f.get_slice(k)
                    out[k] = {"file": name, "shape": list(t.get_shape()), "dtype": t.get_dtype()}
    with open(os.path.join(model_dir, "manifest.json"), "w") as f:
        json.dump(out, f, indent=1)


def save_bf16(model, model_dir, tok_path, max_shard_size=None):
    model = model.to(torch.bfloat16)
    kwargs = {"safe_serialization": True}
    if max_shard_size:
        kwargs["max_shard_size"] = max_shard_size
    model.save_pretrained(model_dir, **kwargs)
    if tok_path:
        shutil.copy(tok_path, os.path.join(model_dir, "tokenizer.json"))
    manifest(model_dir)


def load_f32(cls, model_dir):
    """Loads the BF16 files upcast to float32, computing every buffer (RoPE frequencies) in float32."""
    return cls.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="eager").eval()


def rope_buffers(model, d):
    for name, mod in model.named_modules():
        if hasattr(mod, "inv_freq") and isinstance(mod.inv_freq, torch.Tensor):
            save_np(os.path.join(d, "inv_freq.npy"), mod.inv_freq.detach().float().cpu().numpy())
            scaling = float(getattr(mod, "attention_scaling", 1.0))
            with open(os.path.join(d, "rope_info.json"), "w") as f:
                json.dump({"module": name, "attention_scaling": scaling}, f)
            return


def greedy(cls, model_dir, prompt_ids, n_new, **extra):
    model = load_f32(cls, model_dir)  # fresh: dynamic RoPE keeps state between calls
    ids = torch.tensor([prompt_ids], dtype=torch.long)
    with torch.no_grad():
        out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=n_new,
                             min_new_tokens=0, do_sample=False, num_beams=1, **extra)
        full = out[0].tolist()
        # Smallest gap between the two best logits along the greedy path: near-ties would make the test fragile.
        logits = model(input_ids=out, attention_mask=torch.ones_like(out), **extra).logits[0].float()
        top2 = torch.topk(logits[len(prompt_ids) - 1:len(full) - 1], 2, dim=-1).values
        gap = float((top2[:, 0] - top2[:, 1]).min()) if top2.shape[0] else float("nan")
    return full, gap


def text_fixture(root, name, cls, config, tok, tok_path, t_logits=24, n_new=8, shard=None, v4_config=None):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    model = cls(config)
    with torch.no_grad():  # wider weights than the 0.02 default so logits are far from ties
        for p in model.parameters():
            p.normal_(0.0, 0.08)
        for n, p in model.named_parameters():
            if n.endswith("norm.weight"):
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
    save_bf16(model, d, tok_path, shard)
    if v4_config is not None:
        with open(os.path.join(d, "config.json")) as f:
            cfg = json.load(f)
        cfg.pop("rope_parameters", None)
        cfg.update(v4_config)
        with open(os.path.join(d, "config_v4.json"), "w") as f:
            json.dump(cfg, f, indent=2)

    vocab = config.vocab_size
    rng = np.random.default_rng(len(name))
    input_ids = rng.integers(0, vocab, size=(1, t_logits), dtype=np.int64)
    save_np(os.path.join(d, "input_ids.npy"), input_ids)
    model = load_f32(cls, d)
    with torch.no_grad():
        out = model(input_ids=torch.from_numpy(input_ids), output_hidden_states=True)
    save_np(os.path.join(d, "logits.npy"), out.logits.float().numpy())
    save_np(os.path.join(d, "hidden_0.npy"), out.hidden_states[0].float().numpy())
    save_np(os.path.join(d, "hidden_1.npy"), out.hidden_states[1].float().numpy())
    rope_buffers(model, d)

    prompt = tok.encode("The camera saw a red truck at 10:42 and").ids
    prompt = [i for i in prompt if i < vocab]
    full, gap = greedy(cls, d, prompt, n_new)
    save_np(os.path.join(d, "greedy_prompt.npy"), np.array([prompt], dtype=np.int64))
    save_np(os.path.join(d, "greedy.npy"), np.array([full], dtype=np.int64))
    print(f"[{name}] logits {tuple(out.logits.shape)} greedy {full[len(prompt):]} min-gap {gap:.4f}")


def vlm_fixture(root, name, cls, config, tok, tok_path, n_images, prompt_text, n_new=6):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    model = cls(config)
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n.endswith("norm.weight") or "layer_norm" in n or "post_layernorm" in n:
                if n.endswith(".weight"):
                    p.copy_(1.0 + 0.1 * torch.randn_like(p))
                else:
                    p.normal_(0.0, 0.05)
            else:
                p.normal_(0.0, 0.08)
    save_bf16(model, d, tok_path)

    vc = config.vision_config
    pv = torch.rand(1, n_images, 3, vc.image_size, vc.image_size) * 2 - 1
    save_np(os.path.join(d, "pixel_values.npy"), pv.numpy().astype(np.float32))
    ids = tok.encode(prompt_text).ids
    save_np(os.path.join(d, "input_ids.npy"), np.array([ids], dtype=np.int64))

    model = load_f32(cls, d)
    inner = model.model
    with torch.no_grad():
        flat = pv.view(-1, 3, vc.image_size, vc.image_size)
        vis = inner.vision_model(pixel_values=flat).last_hidden_state
        conn = inner.connector(vis)
        t_ids = torch.tensor([ids])
        out = model(input_ids=t_ids, pixel_values=pv, output_hidden_states=True)
    save_np(os.path.join(d, "vision_out.npy"), vis.float().numpy())
    save_np(os.path.join(d, "connector_out.npy"), conn.float().numpy())
    save_np(os.path.join(d, "logits.npy"), out.logits.float().numpy())
    save_np(os.path.join(d, "hidden_0.npy"), out.hidden_states[0].float().numpy())
    rope_buffers(model, d)
    full, gap = greedy(cls, d, ids, n_new, pixel_values=pv)
    save_np(os.path.join(d, "greedy.npy"), np.array([full], dtype=np.int64))
    print(f"[{name}] vision {tuple(vis.shape)} connector {tuple(conn.shape)} logits {tuple(out.logits.shape)} "
          f"greedy {full[len(ids):]} min-gap {gap:.4f}")


def frame_prompt(tok, n_frames, tokens_per_image):
    img = "<fake_token_around_image><global-img>" + "<image>" * tokens_per_image + "<fake_token_around_image>"
    s = "<|im_start|>User:"
    for i in range(n_frames):
        s += f"\nFrame from 00:{i:02d}:" + img
    return s + "\nWhat moved?<end_of_utterance>\nAssistant:"


def whisper_fixture(root):
    from transformers import WhisperConfig, WhisperFeatureExtractor
    from transformers.models.whisper.modeling_whisper import WhisperEncoder
    from safetensors.torch import save_file
    d = os.path.join(root, "whisper")
    os.makedirs(d, exist_ok=True)
    cfg = WhisperConfig(vocab_size=128, num_mel_bins=80, encoder_layers=2, encoder_attention_heads=4,
                        decoder_layers=1, decoder_attention_heads=4, d_model=64, encoder_ffn_dim=160,
                        decoder_ffn_dim=128, max_source_positions=50, max_target_positions=32,
                        pad_token_id=0, bos_token_id=1, eos_token_id=2, decoder_start_token_id=3)
    enc = WhisperEncoder(cfg)
    with torch.no_grad():
        for n, p in enc.named_parameters():
            if "embed_positions" in n:
                continue
            if "layer_norm" in n and n.endswith(".weight"):
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            else:
                p.normal_(0.0, 0.08)
    save_bf16(enc, d, None)
    fe = WhisperFeatureExtractor(feature_size=80, sampling_rate=16000, hop_length=160, chunk_length=1, n_fft=400)
    fe.save_pretrained(d)
    save_np(os.path.join(d, "mel_filters.npy"), np.asarray(fe.mel_filters, dtype=np.float32))

    t = np.arange(16000) / 16000.0
    rng = np.random.default_rng(7)
    pcm = (0.4 * np.sin(2 * np.pi * (220 + 600 * t) * t) + 0.2 * np.sin(2 * np.pi * 3000 * t)
           + 0.05 * rng.standard_normal(16000)).astype(np.float32)
    short = pcm[:9600].copy()  # 0.6 s: exercises the zero padding to the chunk length
    save_np(os.path.join(d, "pcm.npy"), pcm)
    save_np(os.path.join(d, "pcm_short.npy"), short)
    feats = fe(pcm, sampling_rate=16000, return_tensors="np").input_features.astype(np.float32)
    feats_short = fe(short, sampling_rate=16000, return_tensors="np").input_features.astype(np.float32)
    save_np(os.path.join(d, "features.npy"), feats)
    save_np(os.path.join(d, "features_short.npy"), feats_short)

    enc = load_f32(WhisperEncoder, d)
    with torch.no_grad():
        hid = enc(torch.from_numpy(feats)).last_hidden_state
    save_np(os.path.join(d, "encoder_out.npy"), hid.float().numpy())

    # The audio projector of a Sightline checkpoint: average-pool by audio_pool_stride over time, then one Linear
    # (with bias) into the text model's hidden size. Stored beside the encoder as audio_projector.*.
    text_hidden, stride = 64, 2
    w = (torch.randn(text_hidden, cfg.d_model) * 0.1).to(torch.bfloat16)
    b = (torch.randn(text_hidden) * 0.1).to(torch.bfloat16)
    save_file({"audio_projector.proj.weight": w.contiguous(), "audio_projector.proj.bias": b.contiguous()},
              os.path.join(d, "audio_projector.safetensors"))
    with open(os.path.join(d, "config.json")) as f:
        c = json.load(f)
    c["audio_pool_stride"] = stride
    c["audio_projector_hidden_size"] = text_hidden
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
    with torch.no_grad():
        pooled = torch.nn.functional.avg_pool1d(hid.transpose(1, 2), stride, stride).transpose(1, 2)
        proj = pooled @ w.float().T + b.float()
    save_np(os.path.join(d, "projected.npy"), proj.numpy())
    manifest(d)
    print(f"[whisper] features {feats.shape} encoder {tuple(hid.shape)} projected {tuple(proj.shape)}")


def trim(root):
    """Drops what the Java tests don't read, to keep the committed fixtures under 3 MB. llama_linear keeps only its
    configs and RoPE frequencies: its forward pass is llama's with other frequencies, which the test checks."""
    import glob
    drop = (glob.glob(os.path.join(root, "*", "manifest.json")) + glob.glob(os.path.join(root, "*", "generation_config.json"))
            + [os.path.join(root, "whisper", "mel_filters.npy")]
            + [os.path.join(root, m, "hidden_0.npy") for m in ("llama", "llama_linear", "llama_dynamic", "llama_yarn", "qwen2")]
            + [os.path.join(root, m, "hidden_1.npy") for m in ("llama_linear", "llama_dynamic", "llama_yarn")]
            + [os.path.join(root, "llama_linear", f) for f in ("model.safetensors", "logits.npy", "greedy.npy",
                                                               "greedy_prompt.npy", "input_ids.npy", "tokenizer.json")])
    for f in drop:
        if os.path.exists(f):
            os.remove(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    root = args.out
    os.makedirs(root, exist_ok=True)
    print("transformers", transformers.__version__, "torch", torch.__version__)
    failures = []

    def attempt(label, fn):
        try:
            fn()
        except Exception:
            failures.append(label)
            print(f"[{label}] FAILED", file=sys.stderr)
            traceback.print_exc()

    tok_dir = os.path.join(root, "tokenizer")
    os.makedirs(tok_dir, exist_ok=True)
    tok = build_tokenizer(tok_dir)
    tok_path = os.path.join(tok_dir, "tokenizer.json")
    sp = {s: tok.token_to_id(s) for s in SPECIALS}
    print("specials", sp, "vocab", tok.get_vocab_size())

    from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

    def llama_cfg(**kw):
        base = dict(vocab_size=416, hidden_size=64, intermediate_size=176, num_hidden_layers=2,
                    num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64, rms_norm_eps=1e-5,
                    tie_word_embeddings=True, bos_token_id=sp["<|im_start|>"], eos_token_id=sp["<|im_end|>"],
                    pad_token_id=sp["<|endoftext|>"])
        base.update(kw)
        return LlamaConfig(**base)

    attempt("llama", lambda: text_fixture(
        root, "llama", LlamaForCausalLM,
        llama_cfg(rope_parameters={"rope_type": "default", "rope_theta": 10000.0}), tok, tok_path,
        v4_config={"rope_theta": 10000.0, "rope_scaling": None}))
    attempt("llama_linear", lambda: text_fixture(
        root, "llama_linear", LlamaForCausalLM,
        llama_cfg(rope_parameters={"rope_type": "linear", "rope_theta": 5000.0, "factor": 2.0}), tok, tok_path,
        v4_config={"rope_theta": 5000.0, "rope_scaling": {"type": "linear", "factor": 2.0}}))
    attempt("llama_dynamic", lambda: text_fixture(
        root, "llama_dynamic", LlamaForCausalLM,
        llama_cfg(max_position_embeddings=16,
                  rope_parameters={"rope_type": "dynamic", "rope_theta": 10000.0, "factor": 2.0}), tok, tok_path,
        v4_config={"rope_theta": 10000.0, "rope_scaling": {"rope_type": "dynamic", "factor": 2.0}}))
    attempt("llama_yarn", lambda: text_fixture(
        root, "llama_yarn", LlamaForCausalLM,
        llama_cfg(max_position_embeddings=64,
                  rope_parameters={"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0,
                                   "original_max_position_embeddings": 16}), tok, tok_path,
        v4_config={"rope_theta": 10000.0, "rope_scaling": {"rope_type": "yarn", "factor": 4.0,
                                                           "original_max_position_embeddings": 16}}))
    attempt("qwen2", lambda: text_fixture(
        root, "qwen2", Qwen2ForCausalLM,
        Qwen2Config(vocab_size=512, hidden_size=72, intermediate_size=200, num_hidden_layers=2,
                    num_attention_heads=6, num_key_value_heads=2, max_position_embeddings=128, rms_norm_eps=1e-6,
                    tie_word_embeddings=False, rope_parameters={"rope_type": "default", "rope_theta": 1000000.0},
                    bos_token_id=sp["<|im_start|>"], eos_token_id=sp["<|im_end|>"],
                    pad_token_id=sp["<|endoftext|>"], use_sliding_window=False),
        tok, tok_path, shard="150KB"))

    def vlm_cfg(cfg_cls, image_size, patch, scale, tie):
        text = dict(model_type="llama", vocab_size=400, hidden_size=64, intermediate_size=160,
                    num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=1, max_position_embeddings=256,
                    rms_norm_eps=1e-5, tie_word_embeddings=tie, pad_token_id=sp["<|endoftext|>"],
                    bos_token_id=sp["<|im_start|>"], eos_token_id=sp["<end_of_utterance>"],
                    rope_parameters={"rope_type": "default", "rope_theta": 100000.0})
        vision = dict(hidden_size=48, intermediate_size=112, num_hidden_layers=2, num_attention_heads=4,
                      image_size=image_size, patch_size=patch, layer_norm_eps=1e-6)
        return cfg_cls(vision_config=vision, text_config=text, scale_factor=scale, image_token_id=sp["<image>"],
                       tie_word_embeddings=tie, pad_token_id=sp["<|endoftext|>"])

    def smolvlm():
        from transformers import SmolVLMConfig, SmolVLMForConditionalGeneration
        cfg = vlm_cfg(SmolVLMConfig, 32, 8, 2, False)
        vlm_fixture(root, "smolvlm", SmolVLMForConditionalGeneration, cfg, tok, tok_path, 2,
                    frame_prompt(tok, 2, (32 // 8) ** 2 // 4))

    def idefics3():
        from transformers import Idefics3Config, Idefics3ForConditionalGeneration
        cfg = vlm_cfg(Idefics3Config, 48, 8, 3, True)
        vlm_fixture(root, "idefics3", Idefics3ForConditionalGeneration, cfg, tok, tok_path, 1,
                    frame_prompt(tok, 1, (48 // 8) ** 2 // 9))

    attempt("smolvlm", smolvlm)
    attempt("idefics3", idefics3)
    attempt("whisper", lambda: whisper_fixture(root))

    trim(root)
    total = 0
    for dp, _, files in os.walk(root):
        for f in files:
            total += os.path.getsize(os.path.join(dp, f))
    print(f"total bytes {total}; failures {failures}")


if __name__ == "__main__":
    main()
