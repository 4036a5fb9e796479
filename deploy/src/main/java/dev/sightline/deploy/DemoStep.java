package dev.sightline.deploy;

/**
 * One step of {@code sightline demo}. The demo runs its steps in order, timing and numbering each; later stages of
 * the pipeline (tokens, questions and answers) join it as further steps.
 */
interface DemoStep {

    /** What the step does, in a few words (shown as its heading). */
    String title();

    /** Does the step, reading what earlier steps left in {@code demo} and leaving its own results there. */
    void run(DemoContext demo) throws Exception;
}
