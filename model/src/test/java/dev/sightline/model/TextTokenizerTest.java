package dev.sightline.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** tokenizer.json through DJL's Hugging Face tokenizers, against the Python tokenizers library's encodings. */
class TextTokenizerTest {

    @Test
    void encodeAndDecodeMatchTheReference() throws Exception {
        JsonNode ref = new ObjectMapper().readTree(Fixtures.dir("tokenizer").resolve("tokenizer_cases.json").toFile());
        try (TextTokenizer tok = TextTokenizer.load(Fixtures.dir("tokenizer").resolve("tokenizer.json"))) {
            int checked = 0;
            for (JsonNode c : ref.get("cases")) {
                int[] expected = new ObjectMapper().convertValue(c.get("ids"), int[].class);
                int[] ids = tok.encode(c.get("text").asText());
                assertThat(ids).as(c.get("text").asText()).containsExactly(expected);
                assertThat(tok.decode(ids)).isEqualTo(c.get("decoded").asText());
                assertThat(tok.decode(ids, true)).isEqualTo(c.get("decoded_skip_special").asText());
                checked++;
            }
            assertThat(checked).isEqualTo(7);
            ref.get("special_ids").properties().forEach(e ->
                    assertThat(tok.tokenId(e.getKey())).isEqualTo(e.getValue().asInt()));
            assertThat(tok.tokenId("<no such token>")).isEqualTo(-1);
        }
    }
}
