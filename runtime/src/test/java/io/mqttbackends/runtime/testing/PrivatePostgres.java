package io.mqttbackends.runtime.testing;

import io.mqttbackends.runtime.testing.TlsTestFiles.ServerCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A private PostgreSQL 15 ({@code /usr/lib/postgresql/15/bin}) on a free loopback port that takes TLS connections
 * only ({@code pg_hba.conf}: {@code hostssl ... scram-sha-256}, no {@code host} line) and authenticates with a
 * password, run as the {@code postgres} OS user (the server refuses root) in a temporary directory. Which server
 * certificate it presents can change while it runs ({@link #serve}); SQL runs through {@code psql} on its Unix socket.
 * {@link #close()} stops it and deletes the directory (at JVM exit at the latest).
 */
public final class PrivatePostgres implements AutoCloseable {
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    public static final String USER = "postgres";

    private final Path dir;
    private final int port;
    private final String password;
    private final TlsTestFiles tls;
    private ServerCertificate serving;

    private PrivatePostgres(Path dir, int port, String password, TlsTestFiles tls) {
        this.dir = dir;
        this.port = port;
        this.password = password;
        this.tls = tls;
    }

    /** Creates the cluster and starts it presenting {@code first}. */
    public static PrivatePostgres start(TlsTestFiles tls, ServerCertificate first) {
        if (!Files.isExecutable(BIN.resolve("initdb"))) {
            throw new IllegalStateException(BIN + "/initdb is missing: install Debian's postgresql-15 package");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("mqttbackends-pg-tls");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PrivatePostgres server = new PrivatePostgres(dir, FreePort.find(), "pw-" + TestRun.uniqueName(), tls);
        TestRun.closeAtExit(server);
        try {
            Files.writeString(dir.resolve("pwfile"), server.password + "\n");
            Shell.run("chown", "-R", USER + ":" + USER, dir.toString());
            server.asPostgres(BIN.resolve("initdb").toString(), "-D", server.data().toString(), "-U", USER,
                    "--pwfile=" + dir.resolve("pwfile"), "-A", "scram-sha-256", "--auth-local=trust", "-E", "UTF8",
                    "--no-sync");
            Files.writeString(server.data().resolve("pg_hba.conf"), """
                    local all all trust
                    hostssl all all 127.0.0.1/32 scram-sha-256
                    """);
            server.install(first);
            server.asPostgres(BIN.resolve("pg_ctl").toString(), "-D", server.data().toString(), "-l",
                    dir.resolve("postgres.log").toString(), "-w", "-t", "60", "-o", String.join(" ",
                            "-p", Integer.toString(server.port), "-c", "listen_addresses=127.0.0.1",
                            "-c", "unix_socket_directories=" + dir, "-c", "ssl=on",
                            "-c", "ssl_cert_file=server.crt", "-c", "ssl_key_file=server.key",
                            "-c", "fsync=off", "-c", "shared_buffers=16MB", "-c", "max_connections=30"),
                    "start");
            server.serving = first;
            TlsTestFiles.awaitServed(server.port, "postgres", first);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        }
    }

    public int port() {
        return port;
    }

    public String password() {
        return password;
    }

    /** Presents {@code which} to new connections from now on (a reload; the server keeps running). */
    public void serve(ServerCertificate which) {
        if (which == serving) {
            return;
        }
        try {
            install(which);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data().toString(), "reload");
        TlsTestFiles.awaitServed(port, "postgres", which);
        serving = which;
    }

    /** Runs {@code sql} in database {@code postgres} through {@code psql}; its unaligned output, one row a line. */
    public String sql(String sql) {
        return asPostgres(BIN.resolve("psql").toString(), "-h", dir.toString(), "-p", Integer.toString(port),
                "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql).strip();
    }

    private Path data() {
        return dir.resolve("data");
    }

    /** The certificate and key into the data directory, the key readable by the server's user only (it insists). */
    private void install(ServerCertificate which) throws IOException {
        Path crt = data().resolve("server.crt");
        Path key = data().resolve("server.key");
        Files.copy(tls.certificate(which), crt, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(tls.key(which), key, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Shell.run("chown", USER + ":" + USER, crt.toString(), key.toString());
    }

    private String asPostgres(String... command) {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", USER, "--"));
        full.addAll(List.of(command));
        return Shell.run(full);
    }

    @Override
    public void close() {
        try {
            if (Files.exists(data().resolve("postmaster.pid"))) {
                asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "immediate", "-w",
                        "stop");
            }
        } catch (RuntimeException e) {
            System.err.println("could not stop " + this + ": " + e.getMessage());
        } finally {
            TestCertificates.deleteTree(dir);
            TestRun.closed(this);
        }
    }

    @Override
    public String toString() {
        return "private PostgreSQL on port " + port;
    }
}
