package dev.sightline.runtime;

import dev.sightline.bench.streamqa.EvalSession;
import dev.sightline.bench.streamqa.EvalStream;
import dev.sightline.bench.streamqa.Question;
import dev.sightline.bench.streamqa.Questions;
import dev.sightline.bench.streamqa.Scene;
import dev.sightline.bench.streamqa.StreamQaGenerator;
import dev.sightline.bench.streamqa.StreamQaRunner;
import dev.sightline.bench.streamqa.StreamQaSpec;
import dev.sightline.kv.KvPool;
import dev.sightline.kv.KvStats;
import dev.sightline.kv.PagedKvSequence;
import dev.sightline.model.Model;
import dev.sightline.protocol.tokens.TokenBatch;
import dev.sightline.tokenizer.StageSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sightline eval} claims to play a stream into its KV store as the streaming runtime's session does. Here
 * the same token batches go into the runtime's own {@link StreamSession} and into the evaluation's
 * {@link EvalSession}, each over a paged store with the same configuration, small enough that both compress many
 * times: the memories must end byte for byte the same size with the same tokens per head, and every question must
 * get the same first answer token.
 */
class EvalSessionMatchesRuntimeTest {
    static final Path MODEL = StreamQaSessionTest.MODEL;
    static final int FRAMES = 16;

    static DecoderSessionModel runtimeModel;
    static Model evalModel;
    static StreamQaStreams streams;

    @BeforeAll
    static void load() {
        runtimeModel = DecoderSessionModel.load(MODEL);
        evalModel = Model.load(MODEL);
        streams = new StreamQaStreams(MODEL);
    }

    @AfterAll
    static void close() {
        streams.close();
        evalModel.close();
        runtimeModel.close();
    }

    @Test
    void theEvaluationFeedsAndAsksAsTheRuntimeDoes() {
        SessionSettings settings = SessionSettings.defaults().withBudget(512 * 1024).withPolicy("snapkv")
                .withRecentWindow(16);
        EvalSession eval = new EvalSession(evalModel);
        int compared = 0;
        try (KvPool pool = KvPool.allocate(4L << 20, 2048)) {
            for (int i = 0; i < 2; i++) {
                for (StageSettings stages : List.of(StageSettings.ALL_OFF, StageSettings.DEFAULTS)) {
                    Scene scene = StreamQaGenerator.plan(StreamQaSpec.evaluationSeed(i), FRAMES);
                    List<TokenBatch> batches = streams.batchesThroughTokenizer("s" + i, scene, stages);
                    List<Question> questions = Questions.evaluation(scene, i);

                    List<String> runtimeAnswers = new ArrayList<>();
                    KvStats runtimeStats;
                    try (StreamSession s = StreamSession.open("s" + i, runtimeModel, pool, settings, "")) {
                        batches.forEach(s::prefill);
                        runtimeStats = s.stats();
                        for (Question q : questions) {
                            String text = s.answer(q.text(), SessionModel.Decoding.greedy(1), null).text();
                            runtimeAnswers.add(text.strip());
                        }
                    }
                    EvalSession.Outcome o = eval.run(new EvalStream(i, FRAMES, stages != StageSettings.ALL_OFF,
                            questions, batches, 0, 0), () -> PagedKvSequence.open(pool, runtimeModel.geometry(),
                            settings.toKvConfig()));

                    assertThat(o.refused()).isFalse();
                    assertThat(o.compressions()).as("stream %d compressed", i)
                            .isEqualTo(runtimeStats.compressions()).isPositive();
                    assertThat(o.bytesAfterStream()).isEqualTo(runtimeStats.usedBytes());
                    assertThat(o.tokensKept()).isEqualTo(runtimeStats.tokens());
                    assertThat(o.meanTokensPerHead()).isEqualTo(runtimeStats.meanTokensPerHead());
                    assertThat(o.answers()).extracting(StreamQaRunner.Answer::predicted)
                            .as("stream %d, stages %s", i, stages == StageSettings.ALL_OFF ? "off" : "on")
                            .isEqualTo(runtimeAnswers);
                    compared += questions.size();
                }
            }
        }
        assertThat(compared).isGreaterThan(20);
    }
}
