package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/**
 * TLS towards the database. Certificate files are paths inside the runtime container: mount a Secret holding them
 * into the runtime Deployment (docs/kubernetes.md, "How it works": TLS), which keeps the operator out of the runtime's
 * volumes.
 */
public class Tls {

    static final String ABSOLUTE_PATH = "^/.+$";

    @JsonPropertyDescription("Connect with TLS.")
    private boolean enabled;

    @JsonPropertyDescription("Verify the server certificate (against caFile, else the JVM's trust store) and its "
            + "host name; default true. false accepts any server certificate for any host name, so the password goes "
            + "to whoever answers (mysql, pgsql, redis, cassandra; mongo always verifies).")
    private Boolean verify;

    @Pattern(ABSOLUTE_PATH)
    @JsonPropertyDescription("Absolute path of the CA certificate file in the runtime container.")
    private String caFile;

    @Pattern(ABSOLUTE_PATH)
    @JsonPropertyDescription("Absolute path of the client certificate file in the runtime container.")
    private String certFile;

    @Pattern(ABSOLUTE_PATH)
    @JsonPropertyDescription("Absolute path of the client private key file in the runtime container.")
    private String keyFile;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Boolean getVerify() {
        return verify;
    }

    public void setVerify(Boolean verify) {
        this.verify = verify;
    }

    public String getCaFile() {
        return caFile;
    }

    public void setCaFile(String caFile) {
        this.caFile = caFile;
    }

    public String getCertFile() {
        return certFile;
    }

    public void setCertFile(String certFile) {
        this.certFile = certFile;
    }

    public String getKeyFile() {
        return keyFile;
    }

    public void setKeyFile(String keyFile) {
        this.keyFile = keyFile;
    }
}
