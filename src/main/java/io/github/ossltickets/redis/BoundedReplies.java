package io.github.ossltickets.redis;

import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisSocketFactory;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * Sockets to Redis whose replies are checked as they arrive, before Jedis reads them: Jedis allocates a
 * bulk string or an array at the length its header declares, so a Redis that lies (or a peer between)
 * could declare two gigabytes and end the server with an {@link OutOfMemoryError}, or nest arrays until
 * the poller's stack overflows. A reply over the limits below fails the command with an
 * {@link IOException} naming the address and what was declared; the connection is then dropped.
 */
final class BoundedReplies implements JedisSocketFactory {
    /** The longest bulk string: the largest value the read script returns, plus nothing. */
    static final int MAX_BULK = RedisKeyStore.MAX_VALUE_BYTES;
    /** The most elements in one reply, nested ones included: the scripts return two. */
    static final int MAX_ELEMENTS = 64;
    /** The longest header or simple line (a status, an error, a number). */
    static final int MAX_LINE = 8 * 1024;

    private final DefaultJedisSocketFactory sockets;
    private final String address;

    BoundedReplies(HostAndPort address, JedisClientConfig config) {
        this.sockets = new DefaultJedisSocketFactory(address, config);
        this.address = address.toString();
    }

    @Override
    public Socket createSocket() {
        return new CheckedSocket(sockets.createSocket(), address);
    }

    /** The socket Jedis made (plain or TLS), its input checked; Jedis calls only what is delegated here. */
    private static final class CheckedSocket extends Socket {
        private final Socket socket;
        private final String address;
        private InputStream input;

        CheckedSocket(Socket socket, String address) {
            this.socket = socket;
            this.address = address;
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (input == null) {
                input = new ReplyChecker(socket.getInputStream(), address);
            }
            return input;
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            return socket.getOutputStream();
        }

        @Override
        public synchronized void close() throws IOException {
            socket.close();
        }

        @Override
        public void setSoTimeout(int timeout) throws SocketException {
            socket.setSoTimeout(timeout);
        }

        @Override
        public int getSoTimeout() throws SocketException {
            return socket.getSoTimeout();
        }

        @Override
        public boolean isBound() {
            return socket.isBound();
        }

        @Override
        public boolean isClosed() {
            return socket.isClosed();
        }

        @Override
        public boolean isConnected() {
            return socket.isConnected();
        }

        @Override
        public boolean isInputShutdown() {
            return socket.isInputShutdown();
        }

        @Override
        public boolean isOutputShutdown() {
            return socket.isOutputShutdown();
        }

        @Override
        public SocketAddress getRemoteSocketAddress() {
            return socket.getRemoteSocketAddress();
        }

        @Override
        public SocketAddress getLocalSocketAddress() {
            return socket.getLocalSocketAddress();
        }

        @Override
        public String toString() {
            return socket.toString();
        }
    }

    /**
     * Follows the RESP framing of the bytes passing through: header lines ({@code $} bulk length,
     * {@code *} element count, simple lines) are checked, bulk payloads skipped.
     */
    private static final class ReplyChecker extends FilterInputStream {
        private final String address;
        /** Bytes of bulk payload (and its CR LF) still to pass before the next header line. */
        private long payloadLeft;
        /** The header line so far: its type byte, then its text. */
        private final StringBuilder line = new StringBuilder();
        /** Elements of the current reply still to come (0: between replies), and how many it had so far. */
        private long elementsLeft;
        private long elementsSeen;

        ReplyChecker(InputStream in, String address) {
            super(in);
            this.address = address;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                check((byte) b);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            for (int i = 0; i < n; i++) {
                check(buffer[offset + i]);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            throw new IOException("skipping is not supported: every byte of a Redis reply is checked");
        }

        private void check(byte b) throws IOException {
            if (payloadLeft > 0) {
                payloadLeft--;
                return;
            }
            if (b != '\n') {
                if (line.length() >= MAX_LINE) {
                    throw refused("a reply line longer than " + MAX_LINE + " bytes");
                }
                line.append((char) (b & 0xff));
                return;
            }
            // Jedis ends a line only at CR LF, and reads a number up to the first CR: a bare CR or LF, or
            // anything but digits in a length ("$1000" then spaces Jedis reads as 998222224), would let
            // Jedis frame the bytes differently from this check. Real Redis sends neither.
            int end = line.length() - 1;
            if (end < 0 || line.charAt(end) != '\r' || line.indexOf("\r") != end) {
                throw refused("a line feed without a carriage return just before it");
            }
            String header = line.substring(0, end);
            line.setLength(0);
            if (header.isEmpty()) {
                throw refused("an empty reply line");
            }
            if (elementsLeft == 0) {
                elementsLeft = 1; // a new reply
                elementsSeen = 0;
            }
            elementsLeft--;
            if (++elementsSeen > MAX_ELEMENTS) {
                throw refused("a reply of more than " + MAX_ELEMENTS + " elements");
            }
            switch (header.charAt(0)) {
                case '+', '-' -> { } // a status or an error: any text
                case ':' -> number(header, "integer");
                case '$' -> {
                    long length = number(header, "string length");
                    if (length < -1) {
                        throw refused("a string of negative length " + length);
                    }
                    if (length > MAX_BULK) {
                        throw refused("a string of " + length + " bytes, over the " + MAX_BULK + " this client takes");
                    }
                    payloadLeft = length == -1 ? 0 : length + 2;
                }
                case '*' -> {
                    long count = number(header, "array length");
                    if (count < -1) {
                        throw refused("an array of negative length " + count);
                    }
                    if (count > MAX_ELEMENTS) {
                        throw refused("an array of " + count + " elements, over the " + MAX_ELEMENTS
                                + " this client takes");
                    }
                    elementsLeft += Math.max(0, count);
                }
                // RESP3 types (map, set, double, ...) come only after HELLO 3, which this client never sends;
                // Jedis would parse some of them with unchecked exceptions (",x" is a NumberFormatException).
                default -> throw refused("a reply of type '" + header.charAt(0) + "', which a RESP2 client is"
                        + " never sent");
            }
        }

        /** The number in a header, exactly as Jedis reads it: an optional minus, then only digits. */
        private long number(String header, String unit) throws IOException {
            String digits = header.substring(1);
            if (!digits.matches("-?[0-9]{1,18}")) {
                throw refused("a reply " + unit + " that is not a number: \""
                        + (digits.length() > 40 ? digits.substring(0, 40) + "\u2026" : digits) + "\"");
            }
            return Long.parseLong(digits);
        }

        private IOException refused(String what) {
            return new IOException("Redis at " + address + " sent " + what + "; the connection is dropped");
        }
    }
}
