package io.mqttbackends.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The TLS files of a database TLS test, made by {@link TestCertificates} in a temporary directory: the test's CA, a
 * server certificate for {@code localhost}, one for {@link #OTHER_HOST} signed by the same CA (what a client that
 * checks host names must refuse), and the CA of an unrelated PKI (what no server here was signed by). {@link #close()}
 * deletes them (at JVM exit at the latest).
 */
public final class TlsTestFiles implements AutoCloseable {
    /** The host name of the certificate made for another host. */
    public static final String OTHER_HOST = "db.other.test";

    /** Which server certificate a private server presents. */
    public enum ServerCertificate {
        /** For {@code DNS:localhost}, the name the pools connect to. */
        LOCALHOST("server", "localhost"),
        /** For {@code DNS:db.other.test}: valid, signed by the test's CA, but not for this host. */
        OTHER_HOST("other", TlsTestFiles.OTHER_HOST);

        private final String file;
        private final String host;

        ServerCertificate(String file, String host) {
            this.file = file;
            this.host = host;
        }

        public String host() {
            return host;
        }
    }

    private final Path dir;

    private TlsTestFiles(Path dir) {
        this.dir = dir;
    }

    public static TlsTestFiles make() {
        Path dir;
        try {
            dir = Files.createTempDirectory("mqttbackends-db-tls");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            TestCertificates.caAndServerForLocalhost(dir);
            TestCertificates.serverCertificate(dir, "other", OTHER_HOST);
            Files.createDirectory(dir.resolve("unrelated"));
            TestCertificates.caAndServerForLocalhost(dir.resolve("unrelated"));
            TlsTestFiles files = new TlsTestFiles(dir);
            TestRun.closeAtExit(files);
            return files;
        } catch (IOException | RuntimeException e) {
            TestCertificates.deleteTree(dir);
            throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The CA that signed both server certificates. */
    public Path ca() {
        return dir.resolve("ca.pem");
    }

    /** A CA that signed neither. */
    public Path unrelatedCa() {
        return dir.resolve("unrelated/ca.pem");
    }

    public Path certificate(ServerCertificate which) {
        return dir.resolve(which.file + ".pem");
    }

    public Path key(ServerCertificate which) {
        return dir.resolve(which.file + ".key");
    }

    /**
     * Waits until the server on {@code port} presents {@code which} to a new connection (a server applies a changed
     * certificate to later connections only), asking {@code openssl s_client}; {@code starttls} is its protocol
     * option ({@code postgres}, {@code mysql}) or empty for TLS from the first byte.
     */
    public static void awaitServed(int port, String starttls, ServerCertificate which) {
        Awaitility.await("the server on " + port + " presenting the certificate for " + which.host())
                .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> servedSubject(port, starttls).contains("CN = " + which.host()));
    }

    private static String servedSubject(int port, String starttls) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
        if (!starttls.isEmpty()) {
            command.addAll(List.of("-starttls", starttls));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                Path.of("/dev/null").toFile())).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out.lines().filter(l -> l.startsWith("subject=")).findFirst().orElse("");
    }

    @Override
    public void close() {
        TestCertificates.deleteTree(dir);
        TestRun.closed(this);
    }
}
