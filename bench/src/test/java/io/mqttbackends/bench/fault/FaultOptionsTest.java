package io.mqttbackends.bench.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultOptionsTest {
    private static final String[] REQUIRED = {"--work", "/tmp/w", "--runtime-jar", "/tmp/r.jar"};

    private static FaultOptions parse(String... more) {
        String[] all = new String[REQUIRED.length + more.length];
        System.arraycopy(REQUIRED, 0, all, 0, REQUIRED.length);
        System.arraycopy(more, 0, all, REQUIRED.length, more.length);
        return FaultOptions.parse(all);
    }

    @Test
    void defaultsRunEveryCaseWithTheLargeBurstLast() {
        FaultOptions o = parse();
        assertThat(o.cases()).containsExactly(FaultCase.RUNTIME_KILL, FaultCase.RUNTIME_TERM, FaultCase.DB_RESTART,
                FaultCase.DB_HANG, FaultCase.BROKER_RESTART, FaultCase.BROKER_KILL, FaultCase.BROKER_KILL_STALE,
                FaultCase.LARGE_BURST);
        assertThat(o.rate()).isEqualTo(2000);
        assertThat(o.caseSeconds()).isEqualTo(40);
        assertThat(o.faultAfterSeconds()).isEqualTo(10);
        assertThat(o.outageSeconds()).isEqualTo(5);
        assertThat(o.brokerKillRuns()).isEqualTo(3);
        assertThat(o.largeBytes()).isEqualTo(10 * 1024 * 1024);
        assertThat(o.work()).isEqualTo(Path.of("/tmp/w"));
        assertThat(o.caseBoundSeconds()).isEqualTo(40 + 60 + RuntimeProcess.READY_TIMEOUT_SECONDS
                + SteadyLoad.ACK_WAIT_SECONDS);
    }

    @Test
    void casesByNameInTheGivenOrder() {
        FaultOptions o = parse("--cases", "broker-kill, runtime-kill,db-hang", "--rate", "150", "--runtime-jvm-arg",
                "-Xmx64m", "--runtime-jvm-arg", "@jvm.options");
        assertThat(o.cases()).containsExactly(FaultCase.BROKER_KILL, FaultCase.RUNTIME_KILL, FaultCase.DB_HANG);
        assertThat(o.rate()).isEqualTo(150);
        assertThat(o.runtimeJvmArgs()).isEqualTo(List.of("-Xmx64m", "@jvm.options"));
        assertThat(FaultCase.BROKER_KILL.expectNoLoss()).isFalse();
        assertThat(FaultCase.DB_HANG.expectNoLoss()).isTrue();
    }

    @Test
    void badInputIsRefusedByName() {
        assertThatThrownBy(() -> parse("--cases", "runtime-kill,db-crash"))
                .hasMessageContaining("'db-crash'").hasMessageContaining("broker-restart");
        assertThatThrownBy(() -> parse("--case-seconds", "10", "--fault-after", "6", "--outage", "4"))
                .hasMessageContaining("--case-seconds 10");
        assertThatThrownBy(() -> parse("--rate", "0")).hasMessageContaining("--rate 0: must be positive");
        assertThatThrownBy(() -> parse("--payload", "20")).hasMessageContaining("--payload 20");
        assertThatThrownBy(() -> parse("--outage")).hasMessageContaining("--outage needs a value");
        assertThatThrownBy(() -> FaultOptions.parse("--rate", "10")).hasMessageContaining("--work");
        assertThatThrownBy(() -> parse("--speed", "1")).hasMessageContaining("unknown option --speed");
    }
}
