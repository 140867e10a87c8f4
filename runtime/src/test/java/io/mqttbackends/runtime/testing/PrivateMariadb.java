package io.mqttbackends.runtime.testing;

import io.mqttbackends.runtime.testing.TlsTestFiles.ServerCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A private MariaDB ({@code mariadbd}, data made by {@code mariadb-install-db}) on a free loopback port and a Unix
 * socket of its own, in a temporary directory, with TLS ({@code --ssl-cert}, {@code --ssl-key}, {@code --ssl-ca}) and
 * a user {@link #USER} that must log in over TLS ({@code REQUIRE SSL}) with a password, owning database
 * {@link #DATABASE}. Which server certificate it presents can change while it runs ({@link #serve}: {@code FLUSH
 * SSL}); SQL runs through the {@code mariadb} client on the socket as root. {@link #close()} stops it and deletes the
 * directory (at JVM exit at the latest).
 */
public final class PrivateMariadb implements AutoCloseable {
    public static final String USER = "mqb_tls";
    public static final String DATABASE = "mqb_tls";

    private final Path dir;
    private final int port;
    private final String password;
    private final TlsTestFiles tls;
    private Process process;
    private ServerCertificate serving;

    private PrivateMariadb(Path dir, int port, String password, TlsTestFiles tls) {
        this.dir = dir;
        this.port = port;
        this.password = password;
        this.tls = tls;
    }

    /** Creates the data directory and starts the server presenting {@code first}. */
    public static PrivateMariadb start(TlsTestFiles tls, ServerCertificate first) {
        Path dir;
        try {
            dir = Files.createTempDirectory("mqttbackends-mariadb-tls");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PrivateMariadb server = new PrivateMariadb(dir, FreePort.find(), "pw" + TestRun.uniqueName(), tls);
        TestRun.closeAtExit(server);
        try {
            Shell.run("mariadb-install-db", "--no-defaults", "--datadir=" + dir.resolve("data"), "--user=root",
                    "--skip-test-db", "--auth-root-authentication-method=socket");
            server.install(first);
            server.process = new ProcessBuilder("mariadbd", "--no-defaults", "--user=root",
                    "--datadir=" + dir.resolve("data"), "--port=" + server.port, "--bind-address=127.0.0.1",
                    "--socket=" + server.socket(), "--pid-file=" + dir.resolve("mariadbd.pid"),
                    "--skip-name-resolve", "--skip-log-bin", "--innodb-buffer-pool-size=16M",
                    "--ssl-cert=" + dir.resolve("server-cert.pem"), "--ssl-key=" + dir.resolve("server-key.pem"),
                    "--ssl-ca=" + tls.ca())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("mariadbd.log").toFile()).start();
            Awaitility.await(server + " accepting connections").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).until(server::accepts);
            server.sql("CREATE DATABASE " + DATABASE + "; CREATE USER '" + USER + "'@'127.0.0.1' IDENTIFIED BY '"
                    + server.password + "' REQUIRE SSL; GRANT ALL ON " + DATABASE + ".* TO '" + USER
                    + "'@'127.0.0.1'");
            server.serving = first;
            TlsTestFiles.awaitServed(server.port, "mysql", first);
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

    /** Presents {@code which} to new connections from now on ({@code FLUSH SSL}; the server keeps running). */
    public void serve(ServerCertificate which) {
        if (which == serving) {
            return;
        }
        try {
            install(which);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sql("FLUSH SSL");
        TlsTestFiles.awaitServed(port, "mysql", which);
        serving = which;
    }

    /** Runs {@code sql} as root on the socket in database {@link #DATABASE} if it exists; tab-separated rows. */
    public String sql(String sql) {
        return Shell.run("mariadb", "--no-defaults", "--socket=" + socket(), "-uroot", "-N", "-B", "-e", sql)
                .strip();
    }

    private Path socket() {
        return dir.resolve("mariadbd.sock");
    }

    private void install(ServerCertificate which) throws IOException {
        Files.copy(tls.certificate(which), dir.resolve("server-cert.pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(tls.key(which), dir.resolve("server-key.pem"), StandardCopyOption.REPLACE_EXISTING);
    }

    private boolean accepts() {
        if (process != null && !process.isAlive()) {
            throw new IllegalStateException(this + " exited: " + log());
        }
        try (Socket s = new Socket("127.0.0.1", port)) {
            return Files.exists(socket());
        } catch (IOException e) {
            return false;
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("mariadbd.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        try {
            if (process != null) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            TestCertificates.deleteTree(dir);
            TestRun.closed(this);
        }
    }

    @Override
    public String toString() {
        return "private MariaDB on port " + port;
    }
}
