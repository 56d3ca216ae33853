package io.cairn.engine.json;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {
    @Test
    void shouldRoundTripQmpMessageWhenWrittenAndParsed() {
        final Map<String, Object> m = Map.of("execute", "transaction", "arguments", Map.of("actions",
                List.of(Map.of("type", "x", "data", Map.of("persistent", true, "n", 42L, "s", "a\"b\\c\n")))));
        assertEquals(m, Json.parse(Json.write(m)));
    }

    @Test
    void shouldParseEscapesAndNumbersWhenQemuSendsThem() {
        final Object v = Json.parse("{\"desc\": \"caf\\u00e9 \\/\", \"n\": -3, \"d\": 1.5e3, \"z\": null, \"l\": []}");
        assertEquals("café /", ((Map<?, ?>) v).get("desc"));
        assertEquals(-3L, ((Map<?, ?>) v).get("n"));
        assertEquals(1500.0, ((Map<?, ?>) v).get("d"));
    }

    @Test
    void shouldRejectWithPositionWhenInputIsBrokenOrTooDeep() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": tru}")).getMessage()
                .contains("invalid JSON at character"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.parse("[".repeat(10_000)))
                .getMessage().contains("nesting deeper"));
    }
}
