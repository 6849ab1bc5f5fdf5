package io.github.ossltickets.cli;

import io.github.ossltickets.net.TlsConnection;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Just enough HTTP/1.1 for {@code serve}: request heads read one after another from a connection
 * (keep-alive, pipelining), bodies skipped by Content-Length, and text/plain responses.
 */
final class HttpRequests {
    /** A longer head is refused with 431: a peer cannot make the server buffer without bound. */
    private static final int MAX_HEAD = 16 * 1024;
    /** A larger body is refused with 413: serve reads no bodies, it only skips them. */
    private static final long MAX_BODY = 1024 * 1024;

    /** One request head: the method, the path, and whether the connection stays open after the answer. */
    record Request(String method, String path, boolean keepAlive) {}

    /** The head was too large or not HTTP. */
    static final class BadRequest extends IOException {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final TlsConnection connection;
    private final long maxRequestNanos;
    private final byte[] chunk = new byte[4096];
    private byte[] buffered = new byte[0];

    /**
     * Requests from {@code connection}; each must arrive whole within {@code maxRequestTime}, so that a
     * peer sending one byte at a time cannot hold a worker forever.
     */
    HttpRequests(TlsConnection connection, Duration maxRequestTime) {
        this.connection = connection;
        this.maxRequestNanos = maxRequestTime.toNanos();
    }

    /** The next request, or null when the peer closed the connection between requests. */
    Request next() throws IOException {
        long started = System.nanoTime();
        int end;
        while ((end = headEnd(buffered)) < 0) {
            checkTime(started);
            if (buffered.length > MAX_HEAD) {
                throw new BadRequest(431, "request head over " + MAX_HEAD + " bytes");
            }
            int read = connection.read(chunk);
            if (read < 0) {
                if (buffered.length == 0) {
                    return null;
                }
                throw new BadRequest(400, "the connection closed in the middle of a request head");
            }
            buffered = concat(buffered, chunk, read);
        }
        if (end > MAX_HEAD) {
            throw new BadRequest(431, "request head over " + MAX_HEAD + " bytes");
        }
        String head = new String(buffered, 0, end, StandardCharsets.ISO_8859_1);
        buffered = Arrays.copyOfRange(buffered, end + 4, buffered.length);
        Request request = parse(head);
        skipBody(head, started);
        return request;
    }

    private static Request parse(String head) throws BadRequest {
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            throw new BadRequest(400, "not an HTTP/1.x request line: " + printable(lines[0]));
        }
        String connectionHeader = header(lines, "connection");
        boolean keepAlive = requestLine[2].equals("HTTP/1.1")
                ? !"close".equalsIgnoreCase(connectionHeader) : "keep-alive".equalsIgnoreCase(connectionHeader);
        return new Request(requestLine[0], requestLine[1], keepAlive);
    }

    /** Reads and drops a body announced by Content-Length. */
    private void skipBody(String head, long started) throws IOException {
        String length = header(head.split("\r\n"), "content-length");
        long left;
        try {
            left = length == null ? 0 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "bad Content-Length: " + printable(length));
        }
        if (left < 0) {
            throw new BadRequest(400, "bad Content-Length: " + left);
        }
        if (left > MAX_BODY) {
            throw new BadRequest(413, "a body of " + left + " bytes; serve takes at most " + MAX_BODY);
        }
        while (left > 0) {
            checkTime(started);
            if (buffered.length > 0) {
                int taken = (int) Math.min(left, buffered.length);
                buffered = Arrays.copyOfRange(buffered, taken, buffered.length);
                left -= taken;
            } else {
                int read = connection.read(chunk);
                if (read < 0) {
                    throw new BadRequest(400, "the connection closed in the middle of a request body");
                }
                buffered = Arrays.copyOf(chunk, read);
            }
        }
    }

    private void checkTime(long started) throws SocketTimeoutException {
        if (System.nanoTime() - started > maxRequestNanos) {
            throw new SocketTimeoutException("a request took longer than " + maxRequestNanos / 1_000_000 + " ms to arrive");
        }
    }

    /** Sends a text/plain response. */
    void respond(int status, String reason, String body, boolean keepAlive) throws IOException {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + content.length + "\r\n"
                + "Connection: " + (keepAlive ? "keep-alive" : "close") + "\r\n\r\n";
        connection.write(concat(head.getBytes(StandardCharsets.ISO_8859_1), content, content.length));
    }

    private static String header(String[] lines, String name) {
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return lines[i].substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static int headEnd(byte[] bytes) {
        for (int i = 0; i + 3 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] concat(byte[] first, byte[] second, int secondLength) {
        byte[] joined = Arrays.copyOf(first, first.length + secondLength);
        System.arraycopy(second, 0, joined, first.length, secondLength);
        return joined;
    }

    /** At most 80 characters, control characters escaped: safe to put in a log line. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.substring(0, Math.min(80, text.length())).toCharArray()) {
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return out.toString();
    }
}
