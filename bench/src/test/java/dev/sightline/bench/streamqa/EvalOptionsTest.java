package dev.sightline.bench.streamqa;

import dev.sightline.kv.PageFormat;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What `sightline eval` accepts, and the errors for what it does not: each names the option that was wrong. */
class EvalOptionsTest {
    static final Path MODEL = Path.of("..", "training", "streamqa", "model");

    @Test
    void budgetsAreFractionsOfTheFullCacheOrBytes() {
        assertThat(EvalBudget.parse("25%").fraction()).isEqualTo(0.25);
        assertThat(EvalBudget.parse("0.03").fraction()).isEqualTo(0.03);
        assertThat(EvalBudget.parse("100%").fraction()).isEqualTo(1.0);
        assertThat(EvalBudget.parse("262144").bytes()).isEqualTo(262144);
        assertThat(EvalBudget.parse("256KiB").bytes()).isEqualTo(262144);
        assertThat(EvalBudget.parse("1MiB").bytes()).isEqualTo(1 << 20);
        assertThat(EvalBudget.parse("12%").bytesOf(1_000_000)).isEqualTo(120_000);
        assertThat(EvalBudget.parse("4096").bytesOf(1_000_000)).isEqualTo(4096);
        assertThat(EvalBudget.parse("12%").label()).isEqualTo("12%");
        assertThat(EvalBudget.parse("12.5%").label()).isEqualTo("12.5%");
    }

    @Test
    void aBudgetAtOrBelowZeroOrAboveTheWholeCacheIsRefusedNamingTheOption() {
        for (String bad : new String[] {"0", "0%", "-5%", "150%", "1.5", "-0.2", "0.0", "lots", "-4096"}) {
            assertThatThrownBy(() -> EvalOptions.parseBudgets("50%," + bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--budgets: ");
        }
        assertThatThrownBy(() -> EvalOptions.parseBudgets("150%")).hasMessageContaining("150%")
                .hasMessageContaining("at most 100%");
        assertThatThrownBy(() -> EvalOptions.parseBudgets("1.5")).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> EvalOptions.parseBudgets(",")).hasMessageContaining("--budgets: empty list");
    }

    @Test
    void aBudgetOfAFewBytesIsRefusedAsAProbablyMissingPercentSign() {
        assertThatThrownBy(() -> EvalOptions.parseBudgets("50,25")).hasMessageStartingWith("--budgets: ")
                .hasMessageContaining("50 bytes, less than one KV page").hasMessageContaining("did you mean 50%?");
        assertThatThrownBy(() -> EvalOptions.parseBudgets("1GiB")).hasMessageContaining("MiB of KV memory");
    }

    @Test
    void aBudgetGivenTwiceRunsOnce() {
        assertThat(EvalOptions.parseBudgets("25%,0.25,50%,25%")).containsExactly(EvalBudget.ofFraction(0.25),
                EvalBudget.ofFraction(0.5));
    }

    @Test
    void policiesAreKvMemorysNamesWrappersIncluded() {
        List<String> all = EvalOptions.parsePolicies("all");
        assertThat(all).contains("snapkv", "infinipot-v", "streaming-llm", "h2o", "tova", "knorm", "streammem",
                "random", "recent-frames", "uniform-frames", "adakv:snapkv", "pyramidkv:snapkv", "chunkkv:snapkv")
                .doesNotContain("full").doesNotHaveDuplicates();
        assertThat(EvalOptions.parsePolicies("SnapKV, pyramidkv:h2o,snapkv")).containsExactly("snapkv",
                "pyramidkv:h2o");
        assertThatThrownBy(() -> EvalOptions.parsePolicies("snapkv,bogus"))
                .hasMessageStartingWith("--policies: ").hasMessageContaining("bogus").hasMessageContaining("snapkv");
        assertThatThrownBy(() -> EvalOptions.parsePolicies("zipkv:snapkv"))
                .hasMessageStartingWith("--policies: ").hasMessageContaining("zipkv");
        assertThatThrownBy(() -> EvalOptions.parsePolicies("full"))
                .hasMessageStartingWith("--policies: ").hasMessageContaining("reference");
    }

    @Test
    void formatsAndStagesAreCheckedNamingTheOption() {
        assertThat(EvalOptions.parseFormats("f16,Q8,kivi4,4bit", "--formats"))
                .containsExactly(PageFormat.F16, PageFormat.Q8, PageFormat.KIVI4);
        assertThatThrownBy(() -> EvalOptions.parseFormats("f16,f8", "--formats"))
                .hasMessageStartingWith("--formats: ").hasMessageContaining("f8").hasMessageContaining("kivi4");
        assertThatThrownBy(() -> EvalOptions.parseFormats("q3", "--long-formats"))
                .hasMessageStartingWith("--long-formats: ");
        assertThat(EvalOptions.parseStages("both", "--stages")).containsExactly(false, true);
        assertThat(EvalOptions.parseStages("on", "--stages")).containsExactly(true);
        assertThatThrownBy(() -> EvalOptions.parseStages("sometimes", "--stages"))
                .hasMessageStartingWith("--stages: ").hasMessageContaining("sometimes");
    }

    @Test
    void theRestOfTheOptionsAreCheckedToo() {
        assertThatThrownBy(() -> options(MODEL, 0, 16, 1)).hasMessageStartingWith("--streams");
        assertThatThrownBy(() -> options(MODEL, 2, 1, 1)).hasMessageStartingWith("--frames");
        assertThatThrownBy(() -> options(MODEL, 2, 16, 0)).hasMessageStartingWith("--threads");
        assertThatThrownBy(() -> options(Path.of("no-such-model"), 2, 16, 1)).hasMessageStartingWith("--model")
                .hasMessageContaining("no-such-model");
        assertThat(options(MODEL, 2, 16, 1).policies()).containsExactly("snapkv");
    }

    private static EvalOptions options(Path model, int streams, int frames, int threads) {
        return new EvalOptions(model, streams, frames, List.of("snapkv"), EvalOptions.DEFAULT_BUDGETS,
                EvalOptions.DEFAULT_FORMATS, List.of(false), 0, 4, List.of(PageFormat.F16), List.of(false), threads,
                85, Path.of("out"), null);
    }
}
