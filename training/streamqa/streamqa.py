"""StreamQA scene and question generator (Python port; the Java original is dev.sightline.bench.streamqa).

Both implementations follow docs/streamqa.md ("The spec") step by step with the same SplitMix64 draws in the same
order, so a seed gives bit-identical frames and identical questions in both; tones may differ by one LSB (libm sin).
Only numpy is needed here (the Java cross-check fixture is written by write_fixture.py).
"""
import math
import os
import wave

import numpy as np

SIZE = 64            # frame side in pixels (the vision tower's image size)
BOX = 16             # every object is drawn inside a BOX x BOX square
MAX_X = SIZE - BOX   # top-left x in [0, MAX_X]
MAX_Y = 40           # top-left y in [0, MAX_Y]: objects stay above the shelf
SHELF_TOP = 56       # rows [SHELF_TOP, SIZE) are the static shelf
SHELF_RGB = (90, 90, 90)
SAMPLE_RATE = 16000
EVENT_OFFSET = 800   # audio events start 50 ms into their second
TONE_SAMPLES = 8000
TONE_AMPLITUDE = 9830.0

COLOURS = ["red", "green", "blue", "yellow", "magenta", "cyan", "white", "orange"]
COLOUR_RGB = [(220, 40, 40), (40, 190, 60), (50, 80, 230), (240, 220, 40), (220, 50, 220), (40, 220, 220),
              (240, 240, 240), (245, 140, 30)]
KINDS = ["square", "circle", "triangle", "digit"]
DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
NAMES = ["alice", "bob", "carol", "dave", "eve", "frank"]
WORDS = COLOURS + DIGIT_WORDS + NAMES
TONE_HZ = [330, 550, 880, 1320]
FAMILIES = ["recall", "crossmodal", "first_last", "order", "counting", "current"]

# 5x7 digit font: 7 rows of 5 bits, most significant bit left.
FONT = [
    [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],  # 0
    [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],  # 1
    [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],  # 2
    [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],  # 3
    [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],  # 4
    [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],  # 5
    [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],  # 6
    [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],  # 7
    [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],  # 8
    [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],  # 9
]

MASK64 = (1 << 64) - 1


class SplitMix64:
    """The generator both languages share: nextInt(n) = (next() >>> 33) mod n."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def next_int(self, n):
        return (self.next() >> 33) % n


def kind_mask(kind, digit):
    """The BOX x BOX boolean mask of one object (integer rules, see the spec)."""
    m = np.zeros((BOX, BOX), dtype=bool)
    for r in range(BOX):
        for c in range(BOX):
            if kind == 0:
                m[r, c] = True
            elif kind == 1:
                m[r, c] = (2 * c - 15) ** 2 + (2 * r - 15) ** 2 <= 256
            elif kind == 2:
                m[r, c] = abs(2 * c - 15) <= r
            else:
                gr, gc = r - 1, c - 3  # glyph 10x14 (5x7 scaled by 2) at offset (3, 1)
                if 0 <= gr < 14 and 0 <= gc < 10:
                    m[r, c] = (FONT[digit][gr // 2] >> (4 - gc // 2)) & 1 == 1
    return m


MASKS = {(k, d): kind_mask(k, d) for k in range(3) for d in [0]}
MASKS.update({(3, d): kind_mask(3, d) for d in range(10)})


class Obj:
    __slots__ = ("ident", "kind", "digit", "colour", "start", "end", "x0", "y0", "vx", "vy")

    def __init__(self, ident, kind, digit, colour, start, end, x0, y0, vx, vy):
        self.ident, self.kind, self.digit, self.colour = ident, kind, digit, colour
        self.start, self.end, self.x0, self.y0, self.vx, self.vy = start, end, x0, y0, vx, vy

    def visible(self, f):
        return self.start <= f < self.end

    def pos(self, f):
        x = min(MAX_X, max(0, self.x0 + self.vx * (f - self.start)))
        y = min(MAX_Y, max(0, self.y0 + self.vy * (f - self.start)))
        return x, y

    def name(self):
        """What the object is called in answers: its shape, or for a glyph the digit's word."""
        return DIGIT_WORDS[self.digit] if self.kind == 3 else KINDS[self.kind]

    def mask(self):
        return MASKS[(self.kind, self.digit if self.kind == 3 else 0)]


class Sound:
    __slots__ = ("second", "is_word", "word", "tone")

    def __init__(self, second, is_word, word, tone):
        self.second, self.is_word, self.word, self.tone = second, is_word, word, tone


class Scene:
    def __init__(self, seed, frames, background, objects, sounds):
        self.seed, self.frames, self.background, self.objects, self.sounds = seed, frames, background, objects, sounds

    def visible_at(self, f):
        return [o for o in self.objects if o.visible(f)]


def plan(seed, frames):
    """Draws a scene: the spec's steps in order; every draw is made even when its value ends up unused."""
    if frames < 4:
        raise ValueError(f"a stream needs at least 4 frames, got {frames}")
    rng = SplitMix64(seed)
    background = 30 + 10 * rng.next_int(4)
    n_objects = 3 + rng.next_int(4)
    objects = []
    for _ in range(n_objects):
        for _try in range(20):
            kind = rng.next_int(4)
            digit = rng.next_int(10)
            colour = rng.next_int(8)
            start = rng.next_int(frames - 1)
            end = min(frames, start + 2 + rng.next_int(5))
            x0 = rng.next_int(MAX_X + 1)
            y0 = rng.next_int(MAX_Y + 1)
            vx = rng.next_int(7) - 3
            vy = rng.next_int(5) - 2
            o = Obj(len(objects), kind, digit if kind == 3 else -1, colour, start, end, x0, y0, vx, vy)
            if acceptable(o, objects):
                objects.append(o)
                break
    n_sounds = 2 + rng.next_int(4)
    sounds = []
    for _ in range(n_sounds):
        for _try in range(20):
            second = rng.next_int(frames)
            is_word = rng.next_int(3) != 0
            word = rng.next_int(len(WORDS))
            tone = rng.next_int(len(TONE_HZ))
            if all(s.second != second for s in sounds):
                sounds.append(Sound(second, is_word, word if is_word else -1, -1 if is_word else tone))
                break
    sounds.sort(key=lambda s: s.second)
    return Scene(seed, frames, background, objects, sounds)


def acceptable(o, objects):
    """At most two objects on screen at once, never two of one kind together, and no two start together."""
    for p in objects:
        if p.start == o.start:
            return False
    for f in range(o.start, o.end):
        on = [p for p in objects if p.visible(f)]
        if len(on) >= 2 or any(p.kind == o.kind for p in on):
            return False
    return True


def render_frame(scene, f):
    """[SIZE][SIZE][3] uint8: background, shelf, then objects in creation order (later ones on top)."""
    img = np.empty((SIZE, SIZE, 3), dtype=np.uint8)
    img[:, :, :] = scene.background
    img[SHELF_TOP:, :, :] = SHELF_RGB
    for o in scene.objects:
        if o.visible(f):
            x, y = o.pos(f)
            region = img[y:y + BOX, x:x + BOX]
            region[o.mask()] = COLOUR_RGB[o.colour]
    return img


def render_frames(scene):
    return np.stack([render_frame(scene, f) for f in range(scene.frames)])


_CLIPS = {}


def clip_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    env = os.environ.get("STREAMQA_CLIPS")
    if env:
        return env
    return os.path.join(here, "..", "..", "bench", "src", "main", "resources", "dev", "sightline", "bench",
                        "streamqa", "clips")


def clip(word):
    if word not in _CLIPS:
        with wave.open(os.path.join(clip_dir(), word + ".wav"), "rb") as w:
            if w.getframerate() != SAMPLE_RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
                raise ValueError(f"clip {word}.wav must be 16 kHz mono s16")
            _CLIPS[word] = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.int16)
    return _CLIPS[word]


def tone_samples(tone):
    hz = TONE_HZ[tone]
    return np.array([math.floor(TONE_AMPLITUDE * math.sin(2 * math.pi * hz * n / SAMPLE_RATE) + 0.5)
                     for n in range(TONE_SAMPLES)], dtype=np.int16)


_TONES = {}


def render_audio(scene):
    """int16 PCM, frames * 16000 samples: silence, words from the clip bank, tones."""
    pcm = np.zeros(scene.frames * SAMPLE_RATE, dtype=np.int16)
    for s in scene.sounds:
        if s.is_word:
            data = clip(WORDS[s.word])[:SAMPLE_RATE - EVENT_OFFSET]
        else:
            if s.tone not in _TONES:
                _TONES[s.tone] = tone_samples(s.tone)
            data = _TONES[s.tone]
        at = s.second * SAMPLE_RATE + EVENT_OFFSET
        pcm[at:at + len(data)] = data
    return pcm


def timestamp(second):
    return f"{second // 60:02d}:{second % 60:02d}"


class Question:
    __slots__ = ("family", "text", "answer", "needle")

    def __init__(self, family, text, answer, needle):
        self.family, self.text, self.answer, self.needle = family, text, answer, needle

    def depth(self, frames):
        """Where the needle sits in the stream, as a fraction (needle second + 1) / frames."""
        return (self.needle + 1) / frames

    def __repr__(self):
        return f"{self.family}|{self.text}|{self.answer}|{self.needle}"


def questions(scene):
    """Every question the scene answers, by family, in a fixed order (see the spec)."""
    T = scene.frames
    out = {f: [] for f in FAMILIES}
    for f in range(T):
        for o in scene.visible_at(f):
            out["recall"].append(Question("recall", f"What colour was the {KINDS[o.kind]} at {timestamp(f)}?",
                                          COLOURS[o.colour], f))
    word_counts = {}
    for s in scene.sounds:
        if s.is_word:
            word_counts[s.word] = word_counts.get(s.word, 0) + 1
    for s in scene.sounds:
        if s.is_word:
            out["recall"].append(Question("recall", f"Which word was spoken at {timestamp(s.second)}?",
                                          WORDS[s.word], s.second))
    for s in scene.sounds:
        if s.is_word and word_counts[s.word] == 1:
            on = scene.visible_at(s.second)
            if len(on) == 1:
                out["crossmodal"].append(Question(
                    "crossmodal", f"What was on screen when the word {WORDS[s.word]} was spoken?", on[0].name(),
                    s.second))
    if scene.objects:
        first = min(scene.objects, key=lambda o: o.start)
        last = max(scene.objects, key=lambda o: o.start)
        out["first_last"].append(Question("first_last", "Which colour appeared first?", COLOURS[first.colour],
                                          first.start))
        out["first_last"].append(Question("first_last", "Which colour appeared last?", COLOURS[last.colour],
                                          last.start))
    for a in scene.objects:
        for b in scene.objects:
            if a.ident < b.ident and a.colour != b.colour:
                early = a if a.start < b.start else b
                out["order"].append(Question(
                    "order", f"Which appeared first, the {COLOURS[a.colour]} {KINDS[a.kind]} or the "
                             f"{COLOURS[b.colour]} {KINDS[b.kind]}?", COLOURS[early.colour], max(a.start, b.start)))
    for k in range(4):
        n = sum(1 for o in scene.objects if o.kind == k)
        out["counting"].append(Question("counting", f"How many {KINDS[k]}s appeared?", DIGIT_WORDS[n], T - 1))
    n_tones = sum(1 for s in scene.sounds if not s.is_word)
    n_words = sum(1 for s in scene.sounds if s.is_word)
    out["counting"].append(Question("counting", "How many tones were heard?", DIGIT_WORDS[n_tones], T - 1))
    out["counting"].append(Question("counting", "How many words were spoken?", DIGIT_WORDS[n_words], T - 1))
    on = scene.visible_at(T - 1)
    if len(on) <= 1:
        out["current"].append(Question("current", "What is on screen now?", on[0].name() if on else "nothing", T - 1))
    for o in on:
        out["current"].append(Question("current", f"What colour is the {KINDS[o.kind]} now?", COLOURS[o.colour],
                                       T - 1))
    return out


def sample_question(candidates, rng):
    """One training question: a family uniformly among those with candidates, then a candidate uniformly."""
    fams = [f for f in FAMILIES if candidates[f]]
    fam = fams[rng.next_int(len(fams))]
    return candidates[fam][rng.next_int(len(candidates[fam]))]


def evaluation_questions(scene, index):
    """The fixed evaluation set of a stream: one question per family that has any, chosen with the seed's question
    generator; the recall question's needle is the one nearest the depth (index mod 10 + 1) / 10."""
    rng = SplitMix64(scene.seed ^ 0x5DEECE66D)
    cands = questions(scene)
    target = (index % 10 + 1) / 10.0
    picked = []
    for fam in FAMILIES:
        c = cands[fam]
        r = rng.next_int(1 << 20)
        if not c:
            continue
        if fam == "recall":
            best = min(range(len(c)), key=lambda i: (abs(c[i].depth(scene.frames) - target), i))
            picked.append(c[best])
        else:
            picked.append(c[r % len(c)])
    return picked


# Evaluation seeds are fixed here and in StreamQaSpec; training seeds are drawn below EVAL_SEED_BASE only.
EVAL_SEED_BASE = 1_000_000_007


def evaluation_seed(i):
    return EVAL_SEED_BASE + i


def training_seed(rng):
    return rng.next_int(EVAL_SEED_BASE)


ANSWERS = sorted(set(COLOURS + KINDS + DIGIT_WORDS + NAMES + ["nothing"]))

IMAGE_TOKENS_PER_FRAME = 16
AUDIO_TOKENS_PER_SECOND = 2


def prompt(scene, question_text, image_tokens=IMAGE_TOKENS_PER_FRAME, audio_tokens=AUDIO_TOKENS_PER_SECOND):
    """The runtime's layout: per second the timestamp line, the frame's image tokens, then the second's audio tokens;
    the question after all frames."""
    img = "<fake_token_around_image><global-img>" + "<image>" * image_tokens + "<fake_token_around_image>"
    s = "<|im_start|>User:"
    for f in range(scene.frames):
        s += f"\nFrame from {timestamp(f)}:" + img + "<audio>" * audio_tokens
    return s + "\n" + question_text + "<end_of_utterance>\nAssistant:"
