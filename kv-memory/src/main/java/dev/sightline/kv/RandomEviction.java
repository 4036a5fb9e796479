package dev.sightline.kv;

import java.util.SplittableRandom;

/** Keeps a random subset (seeded, so reproducible): the floor any policy must beat. */
final class RandomEviction implements CompressionPolicy {

    @Override
    public String name() {
        return "random";
    }

    @Override
    public float[] score(HeadView head) {
        SplittableRandom random = new SplittableRandom(head.seed());
        float[] s = new float[head.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = random.nextFloat();
        }
        return s;
    }
}
