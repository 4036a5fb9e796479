package dev.sightline.runtime;

import dev.sightline.kv.KvBudgetExceededException;
import dev.sightline.kv.KvPool;
import dev.sightline.kv.KvStats;
import dev.sightline.protocol.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A session on the real tiny decoder and kv-memory, without Kafka. */
class StreamSessionTest {
    static final long BUDGET = 48 * 1024;
    static DecoderSessionModel model;

    @BeforeAll
    static void load() {
        model = DecoderSessionModel.load(Fixtures.smolvlm());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static SessionSettings settings() {
        return SessionSettings.defaults().withBudget(BUDGET).withRecentWindow(16);
    }

    @Test
    void memoryStaysWithinBudgetAndQuestionsLeaveItUnchanged() throws Exception {
        try (KvPool pool = KvPool.allocate(1 << 20, 1024);
             StreamSession s = StreamSession.open("cam-1", model, pool, settings(), "You watch a camera.")) {
            for (int f = 0; f < 120; f++) {
                s.prefill(Fixtures.videoBatch("cam-1", f, 12, model.hiddenSize(), 2.0));
                assertThat(s.stats().usedBytes()).isLessThanOrEqualTo(BUDGET);
            }
            KvStats before = s.stats();
            assertThat(before.compressions()).as("compressions at the watermark").isPositive();
            assertThat(before.peakBytes()).isLessThanOrEqualTo(BUDGET);
            assertThat(before.tokens()).isLessThan(120 * 12);

            Answer.Memory m = s.memoryFigures();
            StreamSession.Reply a = s.answer("What moved?", SessionModel.Decoding.greedy(8), null);
            StreamSession.Reply b = s.answer("What moved?", SessionModel.Decoding.greedy(8), null);
            assertThat(a.text()).isEqualTo(b.text());                  // the first question changed nothing
            assertThat(a.generatedTokens()).isBetween(1, 8);
            assertThat(s.memoryFigures()).isEqualTo(m);
            assertThat(s.stats().tokens()).isEqualTo(before.tokens());
            assertThat(s.stats().usedBytes()).isEqualTo(before.usedBytes());

            // evidence: frames still in memory, weights are shares
            assertThat(a.evidence()).isNotEmpty().hasSizeLessThanOrEqualTo(StreamSession.EVIDENCE_FRAMES);
            double sum = 0;
            for (Answer.Evidence e : a.evidence()) {
                assertThat(e.weight()).isBetween(0.0, 1.0);
                assertThat(e.ptsMicros()).isBetween(m.fromPtsMicros(), m.toPtsMicros());
                sum += e.weight();
            }
            assertThat(sum).isLessThanOrEqualTo(1.0 + 1e-9);
            assertThat(m.toPtsMicros()).isEqualTo(119 * 500_000L);
            assertThat(m.fromPtsMicros()).as("old frames were evicted").isPositive();
        }
    }

    @Test
    void aSnapshotRestoresTheSameMemoryAndAnswers() throws Exception {
        try (KvPool pool = KvPool.allocate(1 << 20, 1024);
             StreamSession s = StreamSession.open("cam-2", model, pool, settings(), "You watch a camera.")) {
            for (int f = 0; f < 40; f++) {
                s.prefill(Fixtures.videoBatch("cam-2", f, 12, model.hiddenSize(), 2.0));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.writeSnapshot(out);
            String expected = s.answer("Is anyone there?", SessionModel.Decoding.greedy(6), null).text();
            try (StreamSession r = StreamSession.restore("cam-2", model, pool, settings(),
                    new ByteArrayInputStream(out.toByteArray()), new SessionCounters())) {
                assertThat(r.memoryFigures()).isEqualTo(s.memoryFigures());
                assertThat(r.answer("Is anyone there?", SessionModel.Decoding.greedy(6), null).text())
                        .isEqualTo(expected);
                // and both go on identically
                r.prefill(Fixtures.videoBatch("cam-2", 40, 12, model.hiddenSize(), 2.0));
                s.prefill(Fixtures.videoBatch("cam-2", 40, 12, model.hiddenSize(), 2.0));
                assertThat(r.memoryFigures()).isEqualTo(s.memoryFigures());
            }
        }
    }

    @Test
    void thePoolRefusesASessionThatDoesNotFitAndBadBatchesAreNamed() {
        try (KvPool pool = KvPool.allocate(64 * 1024, 1024);
             StreamSession s = StreamSession.open("cam-3", model, pool, settings(), "Hi.")) {
            assertThatThrownBy(() -> StreamSession.open("cam-4", model, pool, settings(), "Hi."))
                    .isInstanceOf(KvBudgetExceededException.class);
            assertThatThrownBy(() -> s.prefill(Fixtures.videoBatch("cam-3", 0, 4, 32, 2.0)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("width 32").hasMessageContaining("hidden size is 64");
            s.prefill(Fixtures.videoBatch("cam-3", 1, 4, 64, 2.0));  // the session goes on
            assertThat(s.status().frames()).isEqualTo(1);
        }
    }

    @Test
    void multiTurnKeepsTheDialogueApartFromTheMemoryAndAudioBatchesArePrefilled() {
        try (KvPool pool = KvPool.allocate(1 << 20, 1024);
             StreamSession s = StreamSession.open("cam-6", model, pool, settings().withMultiTurn(true), "Hi.")) {
            s.prefill(Fixtures.videoBatch("cam-6", 0, 12, model.hiddenSize(), 2.0));
            s.prefill(Fixtures.audioBatch("cam-6", 0, 6, model.hiddenSize()));
            assertThat(s.status().batches()).isEqualTo(2);
            assertThat(s.status().frames()).isEqualTo(1);
            long tokens = s.stats().tokens();
            assertThat(s.stats().dialogueTokens()).isZero();
            StreamSession.Reply first = s.answer("What did you hear?", SessionModel.Decoding.greedy(4), null);
            assertThat(s.stats().dialogueTokens()).as("the turn stays for the next question").isPositive();
            assertThat(s.stats().tokens()).as("the stream memory itself is unchanged").isEqualTo(tokens);
            assertThat(first.evidence()).isNotEmpty();
            int turn = s.stats().dialogueTokens();
            StreamSession.Reply second = s.answer("And before that?", SessionModel.Decoding.greedy(4), null);
            assertThat(second.promptTokens()).as("a follow-up opens a new user turn").isGreaterThan(
                    PromptLayout.of(model).question("And before that?").length);
            assertThat(s.stats().dialogueTokens()).isGreaterThan(turn);
            assertThat(s.stats().tokens()).isEqualTo(tokens);
        }
    }

    @Test
    void yesNoScoresAreProbabilities() {
        try (KvPool pool = KvPool.allocate(1 << 20, 1024);
             StreamSession s = StreamSession.open("cam-5", model, pool, settings(), "You watch a camera.")) {
            s.prefill(Fixtures.videoBatch("cam-5", 0, 12, model.hiddenSize(), 2.0));
            long tokens = s.stats().tokens();
            StreamSession.Score score = s.score("Is a person in view?");
            assertThat(score.yes()).isBetween(0.0, 1.0);
            assertThat(score.evidence()).isNotEmpty();
            assertThat(s.stats().tokens()).isEqualTo(tokens);
        }
    }
}
