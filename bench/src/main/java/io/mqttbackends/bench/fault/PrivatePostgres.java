package io.mqttbackends.bench.fault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;

/**
 * A PostgreSQL cluster of the command's own ({@code initdb} into the work directory, a free port, trust on
 * loopback), so stopping or restarting it never touches the machine's shared server. PostgreSQL refuses to run as
 * root: as root, every {@code initdb} and {@code pg_ctl} runs as the {@code postgres} user through {@code runuser},
 * and the cluster's directory belongs to that user.
 */
final class PrivatePostgres implements AutoCloseable {
    static final String USER = "postgres";
    static final String DATABASE = "postgres";

    private final Path bin;
    private final Path dir;
    private final Path log;
    private final Path commands;
    private final int port;
    private boolean running;

    PrivatePostgres(Path pgBin, Path work, int port) {
        this.bin = pgBin;
        this.dir = work.resolve("pg");
        this.log = work.resolve("postgres.log");
        this.commands = work.resolve("pg_ctl.log");
        this.port = port;
    }

    int port() {
        return port;
    }

    Path dataDir() {
        return dir;
    }

    /** initdb, then the settings: this port, loopback only, the socket in the cluster's own directory. */
    void init() {
        try {
            Files.createDirectories(dir);
            if (Processes.root()) {
                UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByName(USER);
                Files.setOwner(dir, postgres);
                // postgres must reach its log and the cluster through the work directory
                Files.createFile(log);
                Files.setOwner(log, postgres);
            }
            Processes.run(as(bin.resolve("initdb").toString(), "-D", dir.toString(), "-U", USER, "-A", "trust",
                    "-E", "UTF8", "--no-sync"), commands, 120);
            Files.writeString(dir.resolve("postgresql.conf"), """
                    port = %d
                    listen_addresses = '127.0.0.1'
                    unix_socket_directories = '%s'
                    shared_buffers = 64MB
                    max_connections = 40
                    """.formatted(port, dir), StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void start() {
        Processes.run(as(bin.resolve("pg_ctl").toString(), "-D", dir.toString(), "-l", log.toString(), "-w", "-t",
                "60", "start"), commands, 90);
        running = true;
    }

    /** A fast shutdown: sessions are disconnected, open transactions rolled back, then a clean stop. */
    void stop() {
        Processes.run(as(bin.resolve("pg_ctl").toString(), "-D", dir.toString(), "-m", "fast", "-w", "-t", "60",
                "stop"), commands, 90);
        running = false;
    }

    private static List<String> as(String... command) {
        List<String> full = new ArrayList<>();
        if (Processes.root()) {
            full.addAll(List.of("runuser", "-u", USER, "--"));
        }
        full.addAll(List.of(command));
        return full;
    }

    @Override
    public void close() {
        if (running) {
            stop();
        }
    }
}
