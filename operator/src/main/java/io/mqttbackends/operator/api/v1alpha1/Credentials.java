package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Database credentials, only ever as Secret references: both render into the credentials Secret the runtime mounts,
 * never into the ConfigMap.
 */
public class Credentials {

    @JsonPropertyDescription("Secret key holding the user name (rendered as user for mysql, username for pgsql and "
            + "cassandra, login for mongo; redis has no user).")
    private SecretKeyRef username;

    @JsonPropertyDescription("Secret key holding the password.")
    private SecretKeyRef password;

    public SecretKeyRef getUsername() {
        return username;
    }

    public void setUsername(SecretKeyRef username) {
        this.username = username;
    }

    public SecretKeyRef getPassword() {
        return password;
    }

    public void setPassword(SecretKeyRef password) {
        this.password = password;
    }
}
