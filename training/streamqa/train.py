#!/usr/bin/env python3
"""Trains StreamQA's small audio-visual model and exports it in the Hugging Face layout the Java engine loads.

Architecture (the engine's family, built from transformers' own classes so the saved layout is theirs):
  SmolVLMForConditionalGeneration (SigLIP vision tower, pixel-shuffle connector, Llama decoder)
  + a WhisperEncoder stored as model.audio_tower.* with config.json "audio_config"
  + model.audio_projector.proj (average-pool by audio_pool_stride, then Linear), as dev.sightline.model.AudioTower reads.
Prompt: streamqa.prompt (per second "\\nFrame from mm:ss:", the frame's image tokens, then 2 audio tokens of that
second), the question, "<end_of_utterance>\\nAssistant:", the answer as " word" then "<end_of_utterance>".

Usage (GPU box; needs torch, transformers, tokenizers, safetensors, numpy, pillow):
  python3 train.py --out OUT --minutes 7 --seed 1
Writes OUT/model/ (config.json, model.safetensors, tokenizer.json, preprocessor_config.json, streamqa.json),
OUT/metrics.json. Training scenes use seeds below streamqa.EVAL_SEED_BASE only; evaluation uses the fixed
evaluation seeds EVAL_SEED_BASE + i.
"""
import argparse
import io
import json
import math
import os
import shutil
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import streamqa as sq  # noqa: E402

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<fake_token_around_image>", "<image>",
            "<global-img>", "<end_of_utterance>", "<audio>"]
POOL = 25          # 50 Whisper tokens per second -> 2 audio tokens per second
MELS = 80


# ---------------------------------------------------------------- tokenizer
def build_tokenizer(path):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    rng = sq.SplitMix64(99)
    corpus = []
    for i in range(400):
        sc = sq.plan(sq.training_seed(rng), 16)
        qs = sq.questions(sc)
        for fam in sq.FAMILIES:
            for q in qs[fam][:4]:
                corpus.append("User:\n" + q.text + "\nAssistant: " + q.answer)
        for f in range(sc.frames):
            corpus.append(f"\nFrame from {sq.timestamp(f)}:")
    for _ in range(50):
        corpus.append(" ".join(" " + a for a in sq.ANSWERS))
        corpus.append(" ".join(sq.KINDS[k] + "s" for k in range(4)))
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=640, special_tokens=SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus, trainer)
    tok.save(path)
    multi = [a for a in sq.ANSWERS if len(tok.encode(" " + a).ids) != 1]
    print(f"tokenizer: vocab {tok.get_vocab_size()}; answers that are not one token: {multi}", flush=True)
    return tok


# ---------------------------------------------------------------- data
def degrade(frames, rng, codec_frac=0.0):
    """The real path's losses, each on some streams: a camera's video codec, a down-and-up resize, then ingest's
    JPEG at a random quality."""
    from PIL import Image
    out = frames
    if codec_frac > 0 and rng.next_int(1000) < int(codec_frac * 1000):
        real = codec_mpeg4(out) if rng.next_int(2) == 0 and CODEC_REAL[0] else None
        out = real if real is not None else codec_approx(out, rng)
    if rng.next_int(10) < 3:
        side = 32 + rng.next_int(32)
        out = np.stack([np.asarray(Image.fromarray(f).resize((side, side), Image.BILINEAR)
                                   .resize((sq.SIZE, sq.SIZE), Image.BILINEAR)) for f in out])
    if rng.next_int(2) == 0:
        out = jpeg(out, 30 + rng.next_int(66))
    return out


def jpeg(frames, quality):
    from PIL import Image
    dec = []
    for f in frames:
        b = io.BytesIO()
        Image.fromarray(f).save(b, format="JPEG", quality=quality)
        dec.append(np.asarray(Image.open(io.BytesIO(b.getvalue())).convert("RGB")))
    return np.stack(dec)


CODEC_REAL = [False]  # set at start-up when OpenCV's FFmpeg round-trips an MPEG-4 Part 2 stream


def codec_mpeg4(frames):
    """A real MPEG-4 Part 2 encode and decode (FFmpeg inside OpenCV, its default rate and GOP, 4:2:0), or None."""
    try:
        import cv2
        cv2.setNumThreads(1)
        path = f"/dev/shm/streamqa-{os.getpid()}.avi"
        w = cv2.VideoWriter(path, cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*"mp4v"), 1.0, (sq.SIZE, sq.SIZE))
        if not w.isOpened():
            return None
        for f in frames:
            w.write(np.ascontiguousarray(f[:, :, ::-1]))
        w.release()
        cap = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
        dec = []
        while True:
            ok, f = cap.read()
            if not ok:
                break
            dec.append(f[:, :, ::-1])
        cap.release()
        os.remove(path)
        return np.stack(dec).astype(np.uint8) if len(dec) == len(frames) else None
    except Exception:
        return None


def _dct_matrix(n=8):
    d = np.zeros((n, n))
    for k in range(n):
        for i in range(n):
            d[k, i] = math.sqrt((1 if k == 0 else 2) / n) * math.cos(math.pi * (2 * i + 1) * k / (2 * n))
    return d


DCT8 = _dct_matrix()
# step grows with frequency, as MPEG's default intra matrix does
QWEIGHT = 1.0 + (np.arange(8)[:, None] + np.arange(8)[None, :]) / 4.0


def _code_plane(plane, step):
    h, w = plane.shape
    b = plane.reshape(h // 8, 8, w // 8, 8).transpose(0, 2, 1, 3) - 128.0
    c = np.einsum("ki,abij,lj->abkl", DCT8, b, DCT8)
    c = np.round(c / (step * QWEIGHT)) * (step * QWEIGHT)
    r = np.einsum("ki,abkl,lj->abij", DCT8, c, DCT8) + 128.0
    return r.transpose(0, 2, 1, 3).reshape(h, w)


def codec_approx(frames, rng):
    """An approximation of a low-rate video codec, for when no real encoder is at hand: BT.601 YCbCr with 4:2:0
    chroma (2x2 averages), 8x8 DCT blocks quantized with a frequency-weighted step, and skip macroblocks: after the
    first (key) frame, a 16x16 macroblock whose source changed by less than a threshold since the last decoded frame
    is copied from it, as an encoder's skip blocks are (so small changes lag or vanish)."""
    step = 4 + rng.next_int(29)            # 4..32: mild to blocky
    skip = 1 + rng.next_int(8)             # mean absolute change (of 255) under which a macroblock is skipped
    gop = 4 + rng.next_int(29)             # a key frame every gop frames
    x = frames.astype(np.float64)
    y = 0.299 * x[..., 0] + 0.587 * x[..., 1] + 0.114 * x[..., 2]
    cb = 128 + (x[..., 2] - y) * 0.564
    cr = 128 + (x[..., 0] - y) * 0.713
    t, h, w = y.shape
    out = np.empty_like(x)
    prev = None
    for f in range(t):
        yy = _code_plane(y[f], step)
        sub = lambda p: p.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
        cbb = np.repeat(np.repeat(_code_plane(sub(cb[f]), step), 2, 0), 2, 1)
        crr = np.repeat(np.repeat(_code_plane(sub(cr[f]), step), 2, 0), 2, 1)
        rgb = np.stack([yy + 1.403 * (crr - 128), yy - 0.344 * (cbb - 128) - 0.714 * (crr - 128),
                        yy + 1.773 * (cbb - 128)], axis=-1)
        if prev is not None and f % gop != 0:
            change = np.abs(x[f] - prev).mean(axis=-1).reshape(h // 16, 16, w // 16, 16).mean(axis=(1, 3))
            keep = np.repeat(np.repeat(change < skip, 16, 0), 16, 1)
            rgb = np.where(keep[..., None], prev, rgb)
        rgb = np.clip(np.round(rgb), 0, 255)
        out[f] = rgb
        prev = rgb
    return out.astype(np.uint8)


def encode_example(tok, scene, q):
    p = tok.encode(sq.prompt(scene, q.text)).ids
    a = tok.encode(" " + q.answer).ids + [tok.token_to_id("<end_of_utterance>")]
    return p, a


class StreamPieces:
    """A stream's prompt, tokenized once per second (the pieces split at special tokens, so their ids are the whole
    prompt's), with each second labelled f + offset and optional position gaps before each second: the window of a
    longer stream whose other seconds were evicted, as a compressing KV cache leaves them. Questions reuse the
    pieces."""

    def __init__(self, tok, scene, offset=0, gaps=None):
        img = ("<fake_token_around_image><global-img>" + "<image>" * sq.IMAGE_TOKENS_PER_FRAME
               + "<fake_token_around_image>" + "<audio>" * sq.AUDIO_TOKENS_PER_SECOND)
        self.tok, self.offset = tok, offset
        ids = tok.encode("<|im_start|>User:").ids
        pos = list(range(len(ids)))
        nxt = len(ids)
        for f in range(scene.frames):
            piece = tok.encode(f"\nFrame from {sq.timestamp(f + offset)}:" + img).ids
            if gaps is not None:
                nxt += gaps[f]
            ids += piece
            pos += range(nxt, nxt + len(piece))
            nxt += len(piece)
        self.ids, self.pos, self.next = ids, pos, nxt
        self.eou = tok.token_to_id("<end_of_utterance>")

    def example(self, q):
        text = q.text
        if self.offset and q.family == "recall":  # "... at mm:ss?" names the second as the prompt labels it
            text = text.replace(f" at {sq.timestamp(q.needle)}?", f" at {sq.timestamp(q.needle + self.offset)}?")
        tail = self.tok.encode("\n" + text + "<end_of_utterance>\nAssistant:").ids
        a = self.tok.encode(" " + q.answer).ids + [self.eou]
        p = self.ids + tail
        pos = self.pos + list(range(self.next, self.next + len(tail) + len(a)))
        return p, a, pos


def window_layout(rng, frames, longest):
    """For a training stream shown as a window of a longer one: the seconds' offset (labels f + offset, up to
    longest - 1), and a position gap before each second (the first one standing for the seconds before the window)."""
    span = 64 if rng.next_int(4) != 0 else longest
    offset = rng.next_int(max(1, span - frames + 1))
    g = rng.next_int(81)
    gaps = [rng.next_int(g + 1) for _ in range(frames)]
    gaps[0] = offset * (28 + g // 2)
    return offset, gaps


class Batches(torch.utils.data.IterableDataset):
    def __init__(self, tok_path, batch, per_stream, base_seed, min_frames, max_frames, degrade_on=True, weights=None,
                 window_frac=0.0, window_longest=128, codec_frac=0.0):
        self.tok_path, self.batch, self.per_stream, self.base_seed = tok_path, batch, per_stream, base_seed
        self.weights = weights or {f: 1 for f in sq.FAMILIES}
        self.min_frames, self.max_frames, self.degrade_on = min_frames, max_frames, degrade_on
        self.window_frac, self.window_longest, self.codec_frac = window_frac, window_longest, codec_frac

    def __iter__(self):
        from tokenizers import Tokenizer
        tok = Tokenizer.from_file(self.tok_path)
        info = torch.utils.data.get_worker_info()
        wid = info.id if info else 0
        rng = sq.SplitMix64(self.base_seed * 1000 + wid)
        noise = np.random.default_rng(self.base_seed * 1000 + wid).normal(0, 100, 1 << 20).astype(np.int16)
        pad = tok.token_to_id("<|endoftext|>")
        while True:
            frames, audio, rows = [], [], []
            for s in range(self.batch // self.per_stream):
                T = self.max_frames if rng.next_int(2) == 0 else self.min_frames + rng.next_int(
                    self.max_frames - self.min_frames + 1)
                sc = sq.plan(sq.training_seed(rng), T)
                cands = sq.questions(sc)
                fr = sq.render_frames(sc)
                if self.degrade_on:
                    fr = degrade(fr, rng, self.codec_frac)
                pcm = sq.render_audio(sc)
                if rng.next_int(10) < 3:  # a little hiss, as a real microphone and codec add
                    off = rng.next_int(len(noise) - len(pcm))
                    pcm = np.clip(pcm.astype(np.int32) + noise[off:off + len(pcm)], -32768, 32767).astype(np.int16)
                frames.append(fr)
                audio.append(pcm.reshape(T, sq.SAMPLE_RATE))
                if self.window_frac > 0 and rng.next_int(1000) < int(self.window_frac * 1000):
                    pieces = StreamPieces(tok, sc, *window_layout(rng, T, self.window_longest))
                else:
                    pieces = StreamPieces(tok, sc)
                for _ in range(self.per_stream):
                    q = weighted_question(cands, rng, self.weights)
                    p, a, pos = pieces.example(q)
                    rows.append((s, p + a, (len(p), len(a)), pos))
            yield collate(frames, audio, rows, pad)


def weighted_question(candidates, rng, weights):
    """A training question: a family drawn by integer weight among those with candidates, then a candidate."""
    fams = [f for f in sq.FAMILIES if candidates[f] for _ in range(weights.get(f, 1))]
    fam = fams[rng.next_int(len(fams))]
    return candidates[fam][rng.next_int(len(candidates[fam]))]


def collate(frames, audio, rows, pad):
    """Streams' frames [sum T, 64, 64, 3] uint8 and audio [sum T, 16000] int16, each once; rows (stream, ids,
    (answer start, answer length)[, position ids]); frame_idx lists, row after row, the frames (and seconds) each
    row's tokens take; the answer tokens' (row, position before it, target) are gathered here, on the CPU."""
    starts = np.cumsum([0] + [f.shape[0] for f in frames])
    L = max(len(r[1]) for r in rows)
    ids = torch.full((len(rows), L), pad, dtype=torch.long)
    pos = torch.arange(L, dtype=torch.long).repeat(len(rows), 1)
    idx, a_row, a_pos, a_tgt = [], [], [], []
    for i, r in enumerate(rows):
        s, seq, (start, n) = r[0], r[1], r[2]
        ids[i, :len(seq)] = torch.tensor(seq)
        if len(r) > 3:
            pos[i, :len(seq)] = torch.tensor(r[3])
            pos[i, len(seq):] = torch.arange(r[3][-1] + 1, r[3][-1] + 1 + L - len(seq))
        idx.extend(range(starts[s], starts[s + 1]))
        for j in range(n):
            a_row.append(i)
            a_pos.append(start - 1 + j)
            a_tgt.append(seq[start + j])
    return {"frames": torch.from_numpy(np.concatenate(frames)), "audio": torch.from_numpy(np.concatenate(audio)),
            "frame_idx": torch.tensor(idx, dtype=torch.long), "ids": ids, "pos": pos,
            "a_row": torch.tensor(a_row), "a_pos": torch.tensor(a_pos), "a_tgt": torch.tensor(a_tgt)}


# ---------------------------------------------------------------- model
def slaney_filters(bins=201, mels=MELS, sr=16000, fmin=0.0, fmax=8000.0):
    def hz_to_mel(hz):
        return 3.0 * hz / 200.0 if hz < 1000.0 else 15.0 + math.log(hz / 1000.0) * (27.0 / math.log(6.4))

    def mel_to_hz(m):
        return 200.0 * m / 3.0 if m < 15.0 else 1000.0 * math.exp(math.log(6.4) / 27.0 * (m - 15.0))
    lo, hi = hz_to_mel(fmin), hz_to_mel(fmax)
    edges = [mel_to_hz(lo + (hi - lo) * i / (mels + 1)) for i in range(mels + 2)]
    freqs = [(sr // 2) * k / (bins - 1) for k in range(bins)]
    f = np.zeros((mels, bins))
    for m in range(mels):
        lower, centre, upper = edges[m], edges[m + 1], edges[m + 2]
        norm = 2.0 / (upper - lower)
        for k in range(bins):
            down = (freqs[k] - lower) / (centre - lower)
            up = (upper - freqs[k]) / (upper - centre)
            f[m, k] = max(0.0, min(down, up)) * norm
    return f


class LogMel(torch.nn.Module):
    """Whisper's log-mel of each one-second window, normalised per window, as LogMelSpectrogram.computeUnpadded."""

    def __init__(self):
        super().__init__()
        self.register_buffer("filters", torch.tensor(slaney_filters(), dtype=torch.float32))
        self.register_buffer("window", torch.hann_window(400, periodic=True))

    def forward(self, pcm):  # [N, 16000] float32
        spec = torch.stft(pcm, 400, 160, window=self.window, center=True, pad_mode="reflect", return_complex=True)
        power = spec.abs() ** 2
        power = power[:, :, :-1]
        mel = torch.log10(torch.clamp(self.filters @ power, min=1e-10))
        mx = mel.amax(dim=(1, 2), keepdim=True)
        return (torch.maximum(mel, mx - 8.0) + 4.0) / 4.0


def sinusoids(length, channels):
    half = channels // 2
    inc = math.log(10000) / (half - 1)
    inv = torch.exp(-inc * torch.arange(half, dtype=torch.float64))
    t = torch.arange(length, dtype=torch.float64)[:, None] * inv[None, :]
    return torch.cat([torch.sin(t), torch.cos(t)], dim=1).float()


class StreamQaModel(torch.nn.Module):
    def __init__(self, tok, args):
        super().__init__()
        from transformers import SmolVLMConfig, SmolVLMForConditionalGeneration, WhisperConfig
        from transformers.models.whisper.modeling_whisper import WhisperEncoder
        sp = {s: tok.token_to_id(s) for s in SPECIALS}
        text = dict(model_type="llama", vocab_size=tok.get_vocab_size(), hidden_size=args.hidden,
                    intermediate_size=args.hidden * 3, num_hidden_layers=args.layers,
                    num_attention_heads=args.hidden // 32, num_key_value_heads=args.hidden // 64,
                    max_position_embeddings=4096, rms_norm_eps=1e-5, tie_word_embeddings=False,
                    pad_token_id=sp["<|endoftext|>"], bos_token_id=sp["<|im_start|>"],
                    eos_token_id=sp["<end_of_utterance>"],
                    rope_parameters={"rope_type": "default", "rope_theta": 10000.0})
        vision = dict(hidden_size=96, intermediate_size=256, num_hidden_layers=3, num_attention_heads=4,
                      image_size=sq.SIZE, patch_size=8, layer_norm_eps=1e-6)
        self.vlm_config = SmolVLMConfig(vision_config=vision, text_config=text, scale_factor=2,
                                        image_token_id=sp["<image>"], tie_word_embeddings=False,
                                        pad_token_id=sp["<|endoftext|>"])
        try:
            self.vlm = SmolVLMForConditionalGeneration._from_config(self.vlm_config, attn_implementation="sdpa")
        except Exception as e:  # older transformers
            print("sdpa unavailable:", e, flush=True)
            self.vlm = SmolVLMForConditionalGeneration(self.vlm_config)
        self.audio_config = WhisperConfig(vocab_size=64, num_mel_bins=MELS, encoder_layers=2,
                                          encoder_attention_heads=4, decoder_layers=1, decoder_attention_heads=4,
                                          d_model=96, encoder_ffn_dim=256, decoder_ffn_dim=64,
                                          max_source_positions=50, max_target_positions=8, pad_token_id=0,
                                          bos_token_id=1, eos_token_id=2, decoder_start_token_id=3)
        self.audio_tower = WhisperEncoder(self.audio_config)
        with torch.no_grad():
            self.audio_tower.embed_positions.weight.copy_(sinusoids(50, 96))
        self.audio_tower.embed_positions.weight.requires_grad_(False)
        self.audio_proj = torch.nn.Linear(96, args.hidden)
        self.logmel = LogMel()
        self.image_id = sp["<image>"]
        self.audio_id = sp["<audio>"]

    def text_model(self):
        inner = self.vlm.model
        return inner.text_model if hasattr(inner, "text_model") else inner.language_model

    def forward(self, frames_u8, pcm, frame_idx, ids, pos=None):
        """Hidden states [B, L, H] for ids with every frame's connector output and every second's audio tokens
        placed, in order, at the image and audio token positions."""
        tm = self.text_model()
        emb = tm.get_input_embeddings()(ids)
        px = frames_u8.permute(0, 3, 1, 2).float() / 255.0
        px = (px - 0.5) / 0.5
        vis = self.vlm.model.vision_model(pixel_values=px).last_hidden_state
        img = self.vlm.model.connector(vis)[frame_idx].reshape(-1, emb.shape[-1])
        with torch.autocast("cuda", enabled=False):  # float32 log-mel, as the engine computes it
            mel = self.logmel(pcm.float() / 32768.0)
        enc = self.audio_tower(mel).last_hidden_state                       # [N, 50, 96]
        pooled = F.avg_pool1d(enc.transpose(1, 2), POOL, POOL).transpose(1, 2)
        aud = self.audio_proj(pooled)[frame_idx].reshape(-1, emb.shape[-1])
        emb = emb.masked_scatter((ids == self.image_id).unsqueeze(-1), img.to(emb.dtype))
        emb = emb.masked_scatter((ids == self.audio_id).unsqueeze(-1), aud.to(emb.dtype))
        # an explicit mask: with position ids and no mask, transformers would read position gaps as packed sequences
        return tm(inputs_embeds=emb, position_ids=pos, attention_mask=torch.ones_like(ids), use_cache=False
                  ).last_hidden_state

    def answer_logits(self, batch):
        ids = batch["ids"]
        h = self.forward(batch["frames"], batch["audio"], batch["frame_idx"], ids, batch.get("pos"))
        logits = self.vlm.lm_head(h[batch["a_row"], batch["a_pos"]])
        return logits, batch["a_tgt"], batch["a_row"]


# ---------------------------------------------------------------- evaluation
def evaluation_set(tok, streams, frames, jpeg_quality=None, seed_of=None, degrade_fn=None):
    items = []
    pad = tok.token_to_id("<|endoftext|>")
    for i in range(streams):
        sc = sq.plan((seed_of or sq.evaluation_seed)(i), frames)
        fr = sq.render_frames(sc)
        if degrade_fn:
            fr = degrade_fn(fr, i)
        if jpeg_quality:
            fr = jpeg(fr, jpeg_quality)
        pcm = sq.render_audio(sc).reshape(frames, sq.SAMPLE_RATE)
        for q in sq.evaluation_questions(sc, i):
            p, a = encode_example(tok, sc, q)
            items.append((fr, pcm, p + a, (len(p), len(a)), q))
    return items, pad


@torch.no_grad()
def evaluate(model, items, pad, dev, batch=64):
    model.eval()
    per_family, per_depth, correct = {}, {}, 0
    for b0 in range(0, len(items), batch):
        chunk = items[b0:b0 + batch]
        bt = collate([c[0] for c in chunk], [c[1] for c in chunk], [(i, c[2], c[3]) for i, c in enumerate(chunk)], pad)
        bt = {k: v.to(dev) for k, v in bt.items()}
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits, tgt, rows = model.answer_logits(bt)
        ok = (logits.argmax(-1) == tgt)
        for i, c in enumerate(chunk):
            good = bool(ok[rows == i].all())
            q = c[4]
            frames = c[0].shape[0]
            correct += good
            per_family.setdefault(q.family, [0, 0])
            per_family[q.family][0] += good
            per_family[q.family][1] += 1
            d = f"{min(100, math.ceil(q.depth(frames) * 10 - 1e-9) * 10)}%"
            per_depth.setdefault(d, [0, 0])
            per_depth[d][0] += good
            per_depth[d][1] += 1
    model.train()
    return {"accuracy": correct / len(items), "questions": len(items),
            "per_family": {k: v[0] / v[1] for k, v in sorted(per_family.items())},
            "per_family_n": {k: v[1] for k, v in sorted(per_family.items())},
            "per_depth": {k: v[0] / v[1] for k, v in sorted(per_depth.items(), key=lambda kv: int(kv[0][:-1]))}}


# ---------------------------------------------------------------- export
def export(model, tok_path, out_dir, args, metrics):
    from safetensors.torch import load_file, save_file
    os.makedirs(out_dir, exist_ok=True)
    vlm = model.vlm
    vlm.to(torch.bfloat16).save_pretrained(out_dir, safe_serialization=True)
    vlm.float()
    st = os.path.join(out_dir, "model.safetensors")
    tensors = load_file(st)
    for k, v in model.audio_tower.state_dict().items():
        tensors["model.audio_tower." + k] = v.to(torch.bfloat16).contiguous().cpu()
    tensors["model.audio_projector.proj.weight"] = model.audio_proj.weight.detach().to(torch.bfloat16).cpu()
    tensors["model.audio_projector.proj.bias"] = model.audio_proj.bias.detach().to(torch.bfloat16).cpu()
    save_file(tensors, st, metadata={"format": "pt"})
    for f in os.listdir(out_dir):
        if f.endswith(".json") and f not in ("config.json",):
            os.remove(os.path.join(out_dir, f))
    with open(os.path.join(out_dir, "config.json")) as f:
        cfg = json.load(f)
    cfg["audio_config"] = model.audio_config.to_dict()
    cfg["audio_pool_stride"] = POOL
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    with open(os.path.join(out_dir, "preprocessor_config.json"), "w") as f:
        json.dump({"image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "rescale_factor": 1 / 255,
                   "feature_size": MELS, "sampling_rate": 16000, "n_fft": 400, "hop_length": 160,
                   "chunk_length": 1, "n_samples": 16000}, f, indent=2)
    shutil.copy(tok_path, os.path.join(out_dir, "tokenizer.json"))
    with open(os.path.join(out_dir, "streamqa.json"), "w") as f:
        json.dump({"frames": args.max_frames, "image_tokens_per_frame": sq.IMAGE_TOKENS_PER_FRAME,
                   "audio_tokens_per_second": sq.AUDIO_TOKENS_PER_SECOND, "evaluation_seed_base": sq.EVAL_SEED_BASE,
                   "train_seed": args.seed, "metrics": metrics}, f, indent=2)


def round_to_bf16(model):
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.to(torch.bfloat16).float())


def load_exported(model, init_dir, layer_map=None):
    """Loads an exported checkpoint (this script's layout) back into a fresh model, refusing any mismatch. With
    layer_map (old decoder layer -> new index) the model is deeper than the checkpoint: the old layers move to their
    new places and every new layer starts as the identity (its attention and MLP output projections zero), so the
    grown model computes exactly what the checkpoint did."""
    from safetensors.torch import load_file
    t = load_file(os.path.join(init_dir, "model.safetensors"))
    vlm = {k: v.float() for k, v in t.items() if not k.startswith("model.audio_")}
    own = model.vlm.state_dict()
    prefix = "model.text_model.layers."
    if layer_map:
        moved = {}
        for k, v in vlm.items():
            if k.startswith(prefix):
                i, rest = k[len(prefix):].split(".", 1)
                k = f"{prefix}{layer_map[int(i)]}.{rest}"
            moved[k] = v
        vlm = moved
        new = sorted({int(k[len(prefix):].split(".")[0]) for k in own if k.startswith(prefix)} - set(layer_map.values()))
        for n in new:
            for k in own:
                if k.startswith(f"{prefix}{n}."):
                    vlm[k] = torch.zeros_like(own[k]) if k.endswith(("o_proj.weight", "down_proj.weight")) else own[k]
        print(f"grown: old layers at {[layer_map[i] for i in sorted(layer_map)]}, identity layers at {new}", flush=True)
    if set(vlm) != set(own):  # saved names renamed by transformers: let it map them back
        if layer_map:
            raise SystemExit(f"cannot grow {init_dir}: names differ {sorted(set(vlm) ^ set(own))[:4]}")
        print(f"names differ (file {sorted(set(vlm) - set(own))[:3]}, model {sorted(set(own) - set(vlm))[:3]}); "
              "loading through from_pretrained", flush=True)
        from transformers import SmolVLMForConditionalGeneration
        vlm = SmolVLMForConditionalGeneration.from_pretrained(init_dir, dtype=torch.float32).state_dict()
    model.vlm.load_state_dict(vlm)
    p = "model.audio_tower."
    model.audio_tower.load_state_dict({k[len(p):]: v.float() for k, v in t.items() if k.startswith(p)})
    with torch.no_grad():
        model.audio_proj.weight.copy_(t["model.audio_projector.proj.weight"].float())
        model.audio_proj.bias.copy_(t["model.audio_projector.proj.bias"].float())
    print(f"continuing from {init_dir}", flush=True)


def grown_layer_map(old, extra):
    """Spreads `extra` identity layers evenly among `old` layers: old layer i -> its new index."""
    out, n = {}, 0
    for i in range(old):
        out[i] = n
        n += 1
        if extra and (i + 1) % max(1, old // extra) == 0 and n - i - 1 < extra:
            n += 1
    return out


class FixedDraws:
    """Stands in for the generator where a degradation's draws are fixed (evaluation)."""

    def __init__(self, values):
        self.values = list(values)

    def next_int(self, n):
        return self.values.pop(0) % n


def probe_codecs():
    """Which real video codecs this machine has (PyAV, an ffmpeg binary, OpenCV's FFmpeg); training uses OpenCV's
    MPEG-4 Part 2 when it round-trips, and the approximation otherwise."""
    import importlib.util
    found = {"av": importlib.util.find_spec("av") is not None, "ffmpeg": shutil.which("ffmpeg"),
             "cv2": importlib.util.find_spec("cv2") is not None}
    probe = np.stack([sq.render_frame(sq.plan(5, 8), f) for f in range(8)])
    dec = codec_mpeg4(probe)
    CODEC_REAL[0] = dec is not None
    err = float(np.abs(dec.astype(int) - probe).mean()) if dec is not None else None
    print(f"codecs: {found}; OpenCV MPEG-4 round trip: {CODEC_REAL[0]} (mean abs error {err})", flush=True)


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=7.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=192, help="question rows per step")
    ap.add_argument("--per-stream", type=int, default=6, help="questions asked of each generated stream")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--min-frames", type=int, default=8)
    ap.add_argument("--max-frames", type=int, default=16)
    ap.add_argument("--eval-streams", type=int, default=200)
    ap.add_argument("--workers", type=int, default=14)
    ap.add_argument("--init", help="an exported model folder to continue training from")
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--family-weights", default="", help="e.g. crossmodal=2,counting=2")
    ap.add_argument("--grow-layers", type=int, default=0, help="with --init: add this many identity decoder layers")
    ap.add_argument("--window-frac", type=float, default=0.0,
                    help="share of training streams shown as a window of a longer stream (offset labels, position gaps)")
    ap.add_argument("--window-longest", type=int, default=128, help="the longest stream a window is taken from (s)")
    ap.add_argument("--codec-frac", type=float, default=0.0, help="share of training streams through a video codec")
    ap.add_argument("--val-streams", type=int, default=60, help="validation streams for the snapshot choice")
    ap.add_argument("--eval-long-frames", type=int, default=64)
    ap.add_argument("--eval-long-streams", type=int, default=100)
    args = ap.parse_args()
    probe_codecs()
    torch.manual_seed(args.seed)
    dev = "cuda"
    os.makedirs(args.out, exist_ok=True)
    tok_path = os.path.join(args.out, "tokenizer.json")
    if args.init:  # continue from an exported checkpoint, with its tokenizer
        from tokenizers import Tokenizer
        shutil.copy(os.path.join(args.init, "tokenizer.json"), tok_path)
        tok = Tokenizer.from_file(tok_path)
    else:
        tok = build_tokenizer(tok_path)
    layer_map = None
    if args.init:  # the decoder's shape comes from the checkpoint (plus any grown layers)
        with open(os.path.join(args.init, "config.json")) as f:
            tc = json.load(f)["text_config"]
        args.hidden = tc["hidden_size"]
        if args.grow_layers:
            layer_map = grown_layer_map(tc["num_hidden_layers"], args.grow_layers)
        args.layers = tc["num_hidden_layers"] + args.grow_layers
    model = StreamQaModel(tok, args)
    if args.init:
        load_exported(model, args.init, layer_map)
    model = model.to(dev)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"parameters {n_params}", flush=True)
    weights = {f: 1 for f in sq.FAMILIES}
    for kv in filter(None, args.family_weights.split(",")):
        k, v = kv.split("=")
        if k not in weights:
            raise SystemExit(f"unknown family '{k}' in --family-weights; families: {sq.FAMILIES}")
        weights[k] = int(v)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.05,
                            betas=(0.9, 0.98))
    data = torch.utils.data.DataLoader(Batches(tok_path, args.batch, args.per_stream, args.seed, args.min_frames,
                                               args.max_frames, weights=weights, window_frac=args.window_frac,
                                               window_longest=args.window_longest, codec_frac=args.codec_frac),
                                       batch_size=None, num_workers=args.workers, prefetch_factor=4,
                                       persistent_workers=True)
    eval_items, pad = evaluation_set(tok, args.eval_streams, args.max_frames)
    # snapshots are chosen on validation streams (training-range seeds), never on the evaluation seeds
    val_items, _ = evaluation_set(tok, args.val_streams, args.max_frames, seed_of=lambda i: 900_000_000 + i)
    budget = args.minutes * 60
    t0 = time.time()
    step, seen, run_loss, run_acc = 0, 0, 0.0, 0.0
    warm = args.warmup
    skipped = 0
    best = (-1.0, None)
    t_data = 0.0
    t_prev = time.time()
    log = []
    for batch in data:
        t_data += time.time() - t_prev
        el = time.time() - t0
        if el > budget:
            break
        frac = el / budget
        lr = args.lr * min(1.0, (step + 1) / warm) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr
        batch = {k: v.to(dev, non_blocking=True) for k, v in batch.items()}
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits, tgt, _ = model.answer_logits(batch)
            loss = F.cross_entropy(logits.float(), tgt)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        if not torch.isfinite(norm):  # a bad step is skipped, and counted, rather than poisoning the weights
            skipped += 1
            t_prev = time.time()
            continue
        opt.step()
        step += 1
        seen += batch["ids"].shape[0]
        run_loss = 0.98 * run_loss + 0.02 * loss.item() if step > 1 else loss.item()
        run_acc = 0.98 * run_acc + 0.02 * (logits.argmax(-1) == tgt).float().mean().item()
        if step % 100 == 0:
            print(f"step {step} t {el:.0f}s lr {lr:.2e} loss {run_loss:.4f} token-acc {run_acc:.3f} "
                  f"rows {seen} waiting-for-data {t_data:.0f}s skipped {skipped}", flush=True)
        if step == 1:  # fail fast if evaluation is broken, not after the whole budget
            print(f"  eval smoke: {evaluate(model, eval_items[:8], pad, dev)['accuracy']}", flush=True)
        if step % 1000 == 0:
            m = evaluate(model, val_items, pad, dev)
            print(f"  eval@{step}: {m['accuracy']:.3f} {m['per_family']}", flush=True)
            log.append({"step": step, "seconds": el, "accuracy": m["accuracy"]})
            if m["accuracy"] > best[0]:
                best = (m["accuracy"], {k: v.detach().clone() for k, v in model.state_dict().items()})
        t_prev = time.time()
    train_seconds = time.time() - t0
    final = evaluate(model, val_items, pad, dev)["accuracy"]
    if best[1] is not None and best[0] > final:  # keep the best snapshot if the run got worse at the end
        print(f"restoring the step snapshot with {best[0]:.3f} over the final {final:.3f}", flush=True)
        model.load_state_dict(best[1])
    print(f"trained {step} steps, {seen} question rows, {train_seconds:.0f}s", flush=True)
    round_to_bf16(model)  # evaluate exactly the weights that are exported
    metrics = {"steps": step, "rows_seen": seen, "train_seconds": round(train_seconds, 1),
               "parameters": n_params, "args": vars(args), "eval_log": log, "skipped_steps": skipped}
    export(model, tok_path, os.path.join(args.out, "model"), args, metrics)  # first, so a failed eval loses nothing
    model.float()
    metrics["eval_clean"] = evaluate(model, eval_items, pad, dev)
    print(json.dumps(metrics["eval_clean"], indent=1), flush=True)
    jpeg_items, _ = evaluation_set(tok, args.eval_streams, args.max_frames, jpeg_quality=75)
    metrics["eval_jpeg75"] = evaluate(model, jpeg_items, pad, dev)
    print("jpeg75", metrics["eval_jpeg75"]["accuracy"], flush=True)
    # the codec: a real MPEG-4 Part 2 round trip where OpenCV's FFmpeg can make one, else the approximation at a
    # middle setting (step 16, skip under 4/255, a key frame every 8)
    codec_fn = ((lambda fr, i: codec_mpeg4(fr)) if CODEC_REAL[0] else
                (lambda fr, i: codec_approx(fr, FixedDraws([12, 3, 4]))))
    codec_items, _ = evaluation_set(tok, args.eval_streams, args.max_frames, degrade_fn=codec_fn)
    metrics["eval_codec"] = evaluate(model, codec_items, pad, dev)
    metrics["eval_codec"]["codec"] = "mpeg4 (OpenCV FFmpeg)" if CODEC_REAL[0] else "approximation"
    print("codec", metrics["eval_codec"]["codec"], metrics["eval_codec"]["accuracy"], flush=True)
    if args.eval_long_streams:  # contiguous positions, labels 00:00.., as the engine's full cache sees them
        long_items, _ = evaluation_set(tok, args.eval_long_streams, args.eval_long_frames)
        metrics["eval_long"] = evaluate(model, long_items, pad, dev, batch=32)
        metrics["eval_long"]["frames"] = args.eval_long_frames
        print(f"long {args.eval_long_frames}s", json.dumps(metrics["eval_long"]), flush=True)
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    with open(os.path.join(args.out, "model", "streamqa.json")) as f:
        meta = json.load(f)
    meta["metrics"] = {k: metrics[k] for k in ("steps", "train_seconds", "eval_clean", "eval_jpeg75", "eval_codec",
                                               "eval_long") if k in metrics}
    with open(os.path.join(args.out, "model", "streamqa.json"), "w") as f:
        json.dump(meta, f, indent=2)
    total = sum(os.path.getsize(os.path.join(args.out, "model", f)) for f in os.listdir(os.path.join(args.out, "model")))
    print(f"exported {total} bytes", flush=True)
    os._exit(0)  # don't wait on the data workers


if __name__ == "__main__":
    main()
