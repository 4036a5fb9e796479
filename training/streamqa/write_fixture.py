#!/usr/bin/env python3
"""Writes the Java/Python cross-check fixture: for a few seeds, the scene plan, SHA-256 of all frames (RGB bytes)
and of the audio (s16le), every question and the evaluation questions, as this Python port produces them.
StreamQaCrossCheckTest (bench) regenerates the same seeds in Java and must find identical values. numpy only.

Run from the repository root:  python3 training/streamqa/write_fixture.py
"""
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import streamqa as sq  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "src", "test", "resources",
                   "streamqa", "crosscheck.json")

# (seed, frames, evaluation index or -1): evaluation streams, training-range seeds, and other lengths
CASES = [(sq.evaluation_seed(i), 16, i) for i in range(4)] + [(12345, 16, -1), (987654321, 8, -1),
                                                               (sq.evaluation_seed(7), 64, 7), (42, 5, -1)]


def plan_string(sc):
    s = f"bg={sc.background};"
    for o in sc.objects:
        s += f"o{o.ident}:{o.kind},{o.digit},{o.colour},{o.start},{o.end},{o.x0},{o.y0},{o.vx},{o.vy};"
    for x in sc.sounds:
        s += f"s:{x.second},{1 if x.is_word else 0},{x.word},{x.tone};"
    return s


def main():
    streams = []
    for seed, frames, index in CASES:
        sc = sq.plan(seed, frames)
        qs = sq.questions(sc)
        entry = {"seed": seed, "frames": frames, "index": index, "plan": plan_string(sc),
                 "frames_sha256": hashlib.sha256(sq.render_frames(sc).tobytes()).hexdigest(),
                 "frame0_sha256": hashlib.sha256(sq.render_frame(sc, 0).tobytes()).hexdigest(),
                 "audio_sha256": hashlib.sha256(sq.render_audio(sc).astype("<i2").tobytes()).hexdigest(),
                 "questions": [repr(q) for f in sq.FAMILIES for q in qs[f]]}
        if index >= 0:
            entry["evaluation"] = [repr(q) for q in sq.evaluation_questions(sc, index)]
        streams.append(entry)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"generator": "training/streamqa/streamqa.py", "streams": streams}, f, indent=1)
    print(f"wrote {len(streams)} streams to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
