package dev.sightline.kv;

/** The heads of one layer being compressed. */
public interface LayerView {

    int layer();

    int layers();

    int heads();

    HeadView head(int h);
}
