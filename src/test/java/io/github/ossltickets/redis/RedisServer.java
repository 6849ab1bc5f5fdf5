package io.github.ossltickets.redis;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server for the tests, listening on 127.0.0.1: Debian's, in the ossl-redis:bookworm image
 * (scripts/docker-images) when a Docker engine runs; otherwise Debian's redis-server binary on this
 * machine (.ci/run installs it), as a child process. {@link #unavailable()} says why there is neither.
 * Nothing is persisted. TLS files are copied in (container) or passed as paths (process).
 */
abstract class RedisServer implements AutoCloseable {
    static final String IMAGE = "ossl-redis:bookworm";
    private static final Path BINARY = Path.of("/usr/bin/redis-server");

    /** The options every test server gets, then the test's own. */
    private static final List<String> COMMON = List.of("--save", "", "--appendonly", "no");

    private static Boolean docker;

    abstract int port();

    /** Freezes the server: connections stay open and nothing answers (docker pause, SIGSTOP). */
    abstract void pause();

    abstract void unpause();

    @Override
    public abstract void close();

    String uri(String scheme, String userInfo) {
        return scheme + "://" + (userInfo == null ? "" : userInfo + "@") + "localhost:" + port();
    }

    /** Null if a server can be started, else the reason there is none. */
    static String unavailable() {
        if (dockerWithImage() || Files.isExecutable(BINARY)) {
            return null;
        }
        return "no Docker engine with " + IMAGE + " (scripts/docker-images) and no " + BINARY
                + " (apt-get install redis-server)";
    }

    static String kind() {
        return dockerWithImage() ? "container " + IMAGE : "process " + BINARY;
    }

    /**
     * Starts a server with {@code options} (redis-server's command line, e.g. {@code --user ...});
     * {@code tlsDir}, if not null, holds redis.crt and redis.key, and the server speaks only TLS.
     */
    static RedisServer start(Path tlsDir, List<String> options) {
        return dockerWithImage() ? new InContainer(tlsDir, options) : new InProcess(tlsDir, options);
    }

    private static synchronized boolean dockerWithImage() {
        if (docker == null) {
            docker = DockerClientFactory.instance().isDockerAvailable() && imageExists();
        }
        return docker;
    }

    private static boolean imageExists() {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(IMAGE).exec();
            return true;
        } catch (RuntimeException notFound) {
            System.err.println("RedisServer: Docker runs but " + IMAGE + " is missing (scripts/docker-images);"
                    + " using " + BINARY + " if installed");
            return false;
        }
    }

    private static List<String> listen(int port, String tlsPrefix, boolean tls) {
        List<String> args = new ArrayList<>(COMMON);
        if (tls) {
            args.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port),
                    "--tls-cert-file", tlsPrefix + "/redis.crt", "--tls-key-file", tlsPrefix + "/redis.key",
                    "--tls-auth-clients", "no"));
        } else {
            args.addAll(List.of("--port", Integer.toString(port)));
        }
        return args;
    }

    /** Debian's redis-server in the project's image, published on 127.0.0.1. */
    private static final class InContainer extends RedisServer {
        private final GenericContainer<?> container;

        @SuppressWarnings("resource") // closed by close()
        InContainer(Path tlsDir, List<String> options) {
            List<String> command = listen(6379, "/tls", tlsDir != null);
            command.addAll(options);
            GenericContainer<?> redis = new GenericContainer<>(DockerImageName.parse(IMAGE))
                    .withExposedPorts(6379)
                    .withCreateContainerCmdModifier(create -> create.getHostConfig().withPortBindings(
                            new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(6379))))
                    .withCommand(command.toArray(new String[0]))
                    .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1)
                            .withStartupTimeout(Duration.ofSeconds(30)));
            if (tlsDir != null) { // copied in: a bind mount makes Testcontainers pull an image to check it
                for (String file : List.of("redis.crt", "redis.key")) {
                    redis.withCopyFileToContainer(MountableFile.forHostPath(tlsDir.resolve(file), 0644), "/tls/" + file);
                }
            }
            redis.start();
            this.container = redis;
        }

        @Override
        int port() {
            return container.getMappedPort(6379);
        }

        @Override
        void pause() {
            DockerClientFactory.instance().client().pauseContainerCmd(container.getContainerId()).exec();
        }

        @Override
        void unpause() {
            DockerClientFactory.instance().client().unpauseContainerCmd(container.getContainerId()).exec();
        }

        @Override
        public void close() {
            container.close();
        }
    }

    /** Debian's redis-server on this machine, a child process on a free port of 127.0.0.1. */
    private static final class InProcess extends RedisServer {
        private final Process process;
        private final int port;

        InProcess(Path tlsDir, List<String> options) {
            this.port = freePort();
            List<String> command = new ArrayList<>(List.of(BINARY.toString()));
            command.addAll(listen(port, tlsDir == null ? null : tlsDir.toString(), tlsDir != null));
            command.addAll(List.of("--bind", "127.0.0.1", "--dir", System.getProperty("java.io.tmpdir")));
            command.addAll(options);
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + BINARY, e);
            }
            CountDownLatch ready = new CountDownLatch(1);
            StringBuffer output = new StringBuffer();
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        output.append(line).append('\n');
                        if (line.contains("Ready to accept connections")) {
                            ready.countDown();
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "redis-server output");
            reader.setDaemon(true);
            reader.start();
            try {
                if (!ready.await(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("redis-server did not start: " + output);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                throw new IllegalStateException(e);
            }
        }

        private static int freePort() {
            try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        int port() {
            return port;
        }

        @Override
        void pause() {
            signal("STOP");
        }

        @Override
        void unpause() {
            signal("CONT");
        }

        private void signal(String name) {
            try {
                Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
                if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                    throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                signal("CONT"); // a stopped process does not act on SIGTERM until continued
            }
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
