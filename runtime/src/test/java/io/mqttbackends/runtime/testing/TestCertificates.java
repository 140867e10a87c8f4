package io.mqttbackends.runtime.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Throw-away TLS material for tests, made by the {@code openssl} command in a directory of the test's own: a CA
 * ({@code ca.pem}, {@code ca.key}) and a server certificate for {@code localhost} ({@code server.pem},
 * {@code server.key}, PKCS#8) signed by it, and more server certificates for other names. EC keys, which openssl
 * makes in milliseconds.
 */
public final class TestCertificates {
    private TestCertificates() {
    }

    /** Writes the CA and the server certificate into {@code dir}. */
    public static void caAndServerForLocalhost(Path dir) throws IOException {
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=mqttbackends test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        serverCertificate(dir, "server", "localhost");
    }

    /**
     * Writes {@code <file>.pem} and {@code <file>.key} (PKCS#8) into {@code dir}: a server certificate for the DNS name
     * {@code host} (its CN and only subject alternative name), signed by the CA {@link #caAndServerForLocalhost} made
     * there. A certificate for another host ({@code db.other.test}) is what a client must refuse.
     */
    public static void serverCertificate(Path dir, String file, String host) throws IOException {
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", file + ".key", "-out", file + ".csr", "-subj", "/CN=" + host);
        Files.writeString(dir.resolve(file + ".ext"), """
                subjectAltName = DNS:%s
                basicConstraints = CA:FALSE
                keyUsage = critical, digitalSignature, keyAgreement
                extendedKeyUsage = serverAuth
                """.formatted(host));
        openssl(dir, "x509", "-req", "-in", file + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", file + ".pem", "-days", "2", "-extfile", file + ".ext");
    }

    /**
     * Writes {@code <name>.pem} and {@code <name>.key} (PKCS#8) into {@code dir}: a certificate for the DNS name
     * {@code host} signed by the CA {@link #caAndServerForLocalhost} made there, for a server ({@code serverAuth}) or
     * a client ({@code clientAuth}).
     */
    public static void signedByCa(Path dir, String name, String host, boolean client) throws IOException {
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + host);
        Files.writeString(dir.resolve(name + ".ext"), String.join("\n",
                "subjectAltName = DNS:" + host,
                "basicConstraints = CA:FALSE",
                "keyUsage = critical, digitalSignature, keyAgreement",
                "extendedKeyUsage = " + (client ? "clientAuth" : "serverAuth"),
                ""));
        openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    /** Runs {@code openssl} with {@code args} in {@code dir}; fails with its output when it fails. */
    public static void openssl(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Deletes {@code dir} and what it holds; a failure is reported, not thrown (the test's result stands). */
    public static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }
}
