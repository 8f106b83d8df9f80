package neurosteer.engine.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class JitSettingsTest {
    @Test
    void theTestJvmRunsWithTheLimitTheLauncherSets() {
        // the surefire argLine carries the same flag as ./neurosteer; this reads it back from HotSpot
        assertEquals(OptionalLong.of(JitSettings.RECOMMENDED_PER_METHOD_TRAP_LIMIT), JitSettings.perMethodTrapLimit());
    }

    @Test
    void theDefaultLimitGetsAdviceNamingTheFlagAndTheValue() {
        String advice = JitSettings.adviceFor(OptionalLong.of(100));
        assertTrue(advice.contains("-XX:PerMethodTrapLimit=100;"), advice);
        assertTrue(advice.contains("-XX:PerMethodTrapLimit=100000"), advice);
        assertEquals("", JitSettings.adviceFor(OptionalLong.of(JitSettings.RECOMMENDED_PER_METHOD_TRAP_LIMIT)));
        assertEquals("", JitSettings.adviceFor(OptionalLong.of(JitSettings.LOWEST_SAFE)));
        assertTrue(!JitSettings.adviceFor(OptionalLong.of(JitSettings.LOWEST_SAFE - 1)).isEmpty());
        assertEquals("", JitSettings.adviceFor(OptionalLong.empty()));
    }
}
