#!/usr/bin/env bash
# Synthesises StreamQA's spoken-word clip bank with espeak-ng: 16 kHz mono signed 16-bit WAV, leading and trailing
# silence trimmed, at most 0.9 s per word (a word must fit in the one-second slot the generator gives it).
# Needs: apt-get install -y espeak-ng sox. Run from the repository root:
#   training/streamqa/make_clip_bank.sh
# The word list must match WORDS in training/streamqa/streamqa.py and StreamQaSpec.WORDS in bench.
set -euo pipefail
out=bench/src/main/resources/dev/sightline/bench/streamqa/clips
mkdir -p "$out"
words="red green blue yellow magenta cyan white orange zero one two three four five six seven eight nine alice bob carol dave eve frank"
tmp=$(mktemp -d)
for w in $words; do
  espeak-ng -v en-us -s 175 -a 150 -w "$tmp/$w.wav" "$w"
  sox -D "$tmp/$w.wav" -r 16000 -c 1 -b 16 -e signed-integer "$tmp/$w.16k.wav" \
      silence 1 0.01 1% reverse silence 1 0.01 1% reverse
  sox "$tmp/$w.16k.wav" "$out/$w.wav" trim 0 0.9 2>/dev/null
done
rm -rf "$tmp"
du -sh "$out"
