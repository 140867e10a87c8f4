package io.mqttbackends.runtime.hook;

/** CDI event fired after a reload swapped in a new configuration, so observers can follow its pools at once. */
public record ConfigurationApplied(String hash) {
}
