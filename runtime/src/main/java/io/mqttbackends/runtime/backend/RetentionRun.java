package io.mqttbackends.runtime.backend;

import java.time.Duration;

/**
 * One finished run of a pool's message retention, as the metrics count it.
 *
 * @param deletedRows the rows it deleted, including those of statements before a failure
 * @param statements  the delete statements it ran, each removing at most {@code retention.batch_size} rows
 * @param succeeded   whether every statement of the run succeeded
 * @param duration    how long the run took
 */
public record RetentionRun(long deletedRows, long statements, boolean succeeded, Duration duration) {
}
