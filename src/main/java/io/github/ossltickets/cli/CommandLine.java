package io.github.ossltickets.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small option parser for the commands: {@code --name VALUE} and {@code --name=VALUE}, flags, and
 * options that may be given more than once or with several values. It only splits and checks the
 * shape of the command line; each command converts and checks the values. Every mistake is a
 * {@link UsageException} that names the option, in one line.
 */
final class CommandLine {

    /**
     * Bad command-line options: the caller prints the message in one line and exits 2. A null message
     * means --help was asked for: the caller prints the usage and exits 0.
     */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** How many values an option takes. */
    private enum Arity {
        /** No value: {@code --help}. */
        FLAG,
        /** Exactly one value, and the option at most once. */
        ONE,
        /** One or more values ({@code --x a b} or {@code --x=a}), and the option any number of times. */
        MANY
    }

    private final String command;
    private final Map<String, Arity> options = new LinkedHashMap<>();
    private final Map<String, String> aliases = new LinkedHashMap<>();

    /** @param command the command's name for messages, such as "serve" */
    CommandLine(String command) {
        this.command = command;
    }

    /** An option without a value. */
    CommandLine flag(String name) {
        options.put(name, Arity.FLAG);
        return this;
    }

    /** Another spelling of an option, such as "-h" for "--help". */
    CommandLine alias(String alias, String option) {
        aliases.put(alias, option);
        return this;
    }

    /** An option with one value, given at most once. */
    CommandLine option(String name) {
        options.put(name, Arity.ONE);
        return this;
    }

    /**
     * An option with one or more values that may be repeated: {@code --x a b}, {@code --x a --x b} and
     * {@code --x=a --x=b} all give [a, b]. Values are taken up to the next argument that starts with "-".
     */
    CommandLine repeatable(String name) {
        options.put(name, Arity.MANY);
        return this;
    }

    /** The options given, in order of the command line; flags have no values. */
    static final class Parsed {
        private final Map<String, List<String>> values = new LinkedHashMap<>();

        boolean has(String option) {
            return values.containsKey(option);
        }

        /** The value of a one-value option, if given. */
        Optional<String> value(String option) {
            List<String> given = values.get(option);
            return given == null ? Optional.empty() : Optional.of(given.get(0));
        }

        /** Every value of an option, in order; empty if not given. */
        List<String> values(String option) {
            return values.getOrDefault(option, List.of());
        }
    }

    /** Splits {@code args} into options and values; refuses unknown options, positional arguments and repeats. */
    Parsed parse(String[] args) throws UsageException {
        Parsed parsed = new Parsed();
        for (int i = 0; i < args.length; i++) {
            String argument = aliases.getOrDefault(args[i], args[i]);
            if (!argument.startsWith("--") || argument.equals("--")) {
                throw new UsageException(argument.startsWith("-") && !argument.equals("-") && !argument.equals("--")
                        ? unknown(argument)
                        : "unexpected argument " + shown(argument) + ": " + command + " takes only options");
            }
            int equals = argument.indexOf('=');
            String name = equals < 0 ? argument : argument.substring(0, equals);
            Arity arity = options.get(name);
            if (arity == null) {
                throw new UsageException(unknown(name));
            }
            if (arity != Arity.MANY && parsed.has(name)) {
                throw new UsageException(name + " is given twice; give it once");
            }
            List<String> values = parsed.values.computeIfAbsent(name, n -> new ArrayList<>());
            if (arity == Arity.FLAG) {
                if (equals >= 0) {
                    throw new UsageException(name + " takes no value: " + shown(argument));
                }
                continue;
            }
            if (equals >= 0) {
                values.add(nonEmpty(name, argument.substring(equals + 1)));
                continue;
            }
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                throw new UsageException(name + " needs a value");
            }
            values.add(nonEmpty(name, args[++i]));
            while (arity == Arity.MANY && i + 1 < args.length && !args[i + 1].startsWith("-")) {
                values.add(nonEmpty(name, args[++i]));
            }
        }
        return parsed;
    }

    private static String nonEmpty(String option, String value) throws UsageException {
        if (value.isEmpty()) {
            throw new UsageException(option + " needs a value, not an empty string");
        }
        return value;
    }

    private String unknown(String option) {
        String closest = null;
        int best = Integer.MAX_VALUE;
        for (String known : options.keySet()) {
            int distance = editDistance(option, known);
            if (distance < best) {
                best = distance;
                closest = known;
            }
        }
        // Two edits catch a typo or a missing dash; more would suggest unrelated options.
        String suggestion = closest != null && best <= 2 ? " (did you mean " + closest + "?)" : "";
        return "unknown option " + (option.matches("[-A-Za-z0-9]{1,40}") ? option : shown(option)) + suggestion;
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * A user-given value for a message: control characters escaped (a value cannot rewrite the terminal)
     * and cut to 60 characters (a 70,000-character value does not flood it).
     */
    static String shown(String value) {
        StringBuilder text = new StringBuilder("'");
        int limit = 60;
        for (int i = 0; i < value.length() && i < limit; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                text.append(String.format("\\x%02x", (int) c));
            } else {
                text.append(c);
            }
        }
        text.append('\'');
        if (value.length() > limit) {
            text.append(" (").append(value.length()).append(" characters, cut)");
        }
        return text.toString();
    }
}
