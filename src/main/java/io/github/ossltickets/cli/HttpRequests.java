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

    /**
     * One request head: the method, the path (from an absolute-form target too: {@code GET
     * http://host/stats} gives {@code /stats}), and whether the connection stays open after the answer.
     */
    record Request(String method, String path, boolean keepAlive) {}

    /** The head was too large, not HTTP, or framed in a way serve refuses (400, 413, 431, 501); the connection closes. */
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
        int terminator = buffered[end + 1] == '\n' ? 2 : 3; // "\n\n" or "\n\r\n" after the last line
        String head = new String(buffered, 0, end, StandardCharsets.ISO_8859_1);
        buffered = Arrays.copyOfRange(buffered, end + terminator, buffered.length);
        // RFC 9112 section 2.2: a server may take a bare LF as a line end; CR LF is the norm.
        String[] lines = head.split("\r?\n", -1);
        lines[lines.length - 1] = lines[lines.length - 1].replaceFirst("\r$", "");
        Request request = parse(lines);
        skipBody(bodyLength(lines), started);
        return request;
    }

    private static Request parse(String[] lines) throws BadRequest {
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            throw new BadRequest(400, "not an HTTP/1.x request line: " + printable(lines[0]));
        }
        if (header(lines, "transfer-encoding") != null) { // no chunked bodies here: refused, not misread
            throw new BadRequest(501, "serve takes no Transfer-Encoding; send a body with Content-Length");
        }
        String connectionHeader = header(lines, "connection");
        boolean keepAlive = requestLine[2].equals("HTTP/1.1")
                ? !"close".equalsIgnoreCase(connectionHeader) : "keep-alive".equalsIgnoreCase(connectionHeader);
        return new Request(requestLine[0], path(requestLine[1]), keepAlive);
    }

    /**
     * The path of a request target: origin-form as it is, absolute-form ({@code http://host/stats?x})
     * without its scheme and authority (RFC 9112 section 3.2.2: a server must accept it), "*" as it is.
     */
    private static String path(String target) throws BadRequest {
        if (target.startsWith("/") || target.equals("*")) {
            return target;
        }
        int scheme = target.indexOf("://");
        String name = scheme < 0 ? "" : target.substring(0, scheme).toLowerCase(Locale.ROOT);
        if (name.equals("http") || name.equals("https")) {
            String rest = target.substring(scheme + 3);
            int pathStart = indexOfAny(rest, "/?#");
            return pathStart < 0 ? "/" : (rest.charAt(pathStart) == '/' ? "" : "/") + rest.substring(pathStart);
        }
        throw new BadRequest(400, "not a request target: " + printable(target));
    }

    private static int indexOfAny(String text, String characters) {
        for (int i = 0; i < text.length(); i++) {
            if (characters.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The body's length from Content-Length: digits only, given once (RFC 9112 section 6.3: several
     * values, or one that is not a number, make the framing unreliable, so the answer is 400 and a close).
     */
    private static long bodyLength(String[] lines) throws BadRequest {
        String length = null;
        for (int i = 1; i < lines.length; i++) {
            if (isHeader(lines[i], "content-length")) {
                if (length != null) {
                    throw new BadRequest(400, "Content-Length given more than once");
                }
                length = lines[i].substring(lines[i].indexOf(':') + 1).trim();
            }
        }
        if (length == null) {
            return 0;
        }
        if (!length.matches("[0-9]{1,18}")) {
            throw new BadRequest(length.matches("[0-9]+") ? 413 : 400, "bad Content-Length: " + printable(length));
        }
        long left = Long.parseLong(length);
        if (left > MAX_BODY) {
            throw new BadRequest(413, "a body of " + left + " bytes; serve takes at most " + MAX_BODY);
        }
        return left;
    }

    /** Reads and drops a body of {@code left} bytes. */
    private void skipBody(long left, long started) throws IOException {
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
        respond(status, reason, body, keepAlive, true, "");
    }

    /**
     * Sends a text/plain response; without {@code withBody} (HEAD) only its head, with the Content-Length
     * the body would have. {@code extraHeaders} are whole lines, each ending in CR LF ("Allow: GET, HEAD\r\n").
     */
    void respond(int status, String reason, String body, boolean keepAlive, boolean withBody, String extraHeaders)
            throws IOException {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + content.length + "\r\n"
                + extraHeaders
                + "Connection: " + (keepAlive ? "keep-alive" : "close") + "\r\n\r\n";
        connection.write(concat(head.getBytes(StandardCharsets.ISO_8859_1), content, withBody ? content.length : 0));
    }

    private static String header(String[] lines, String name) {
        for (int i = 1; i < lines.length; i++) {
            if (isHeader(lines[i], name)) {
                return lines[i].substring(lines[i].indexOf(':') + 1).trim();
            }
        }
        return null;
    }

    private static boolean isHeader(String line, String name) {
        int colon = line.indexOf(':');
        return colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name);
    }

    /** Where the head ends: the index of the LF that ends its last line, before an empty line (LF or CR LF). */
    private static int headEnd(byte[] bytes) {
        for (int i = 0; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\n' && (bytes[i + 1] == '\n'
                    || (bytes[i + 1] == '\r' && i + 2 < bytes.length && bytes[i + 2] == '\n'))) {
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
