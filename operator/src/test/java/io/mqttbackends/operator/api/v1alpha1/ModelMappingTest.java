package io.mqttbackends.operator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.mqttbackends.model.DatabaseKind;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The CRD enums name every database kind and hook point the runtime knows, each once. */
class ModelMappingTest {

    @Test
    void everyDatabaseKindHasExactlyOnePoolType() {
        assertThat(Arrays.stream(PoolType.values()).map(PoolType::kind)).containsExactlyInAnyOrder(
                DatabaseKind.values());
        assertThat(PoolType.CASSANDRA.poolPrefix()).isEqualTo("ecql");
        assertThat(PoolType.CASSANDRA.hookPrefix()).isEqualTo("cassa");
    }

    @Test
    void everyHookPointOfTheRuntimeHasExactlyOneCrdValue() {
        assertThat(Arrays.stream(HookPoint.values()).map(HookPoint::point)).containsExactlyInAnyOrder(
                io.mqttbackends.model.HookPoint.values());
        assertThat(HookPoint.MESSAGE_PUBLISH.confName()).isEqualTo("message.publish");
    }
}
