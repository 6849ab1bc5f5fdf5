package io.github.ossltickets.ffi;

import io.github.ossltickets.TicketReturn;
import io.github.ossltickets.TicketStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every constant in {@link LibSsl} and {@link LibCrypto}, and every enum code, equals the value in the real headers. */
class ConstantsTest {
    private static final Map<String, Long> HEADER_VALUES = new HashMap<>();

    /** Runs native/build/print_constants, which `make -C native` (run by Maven) compiled against ssl.h. */
    @BeforeAll
    static void readHeaderValues() throws IOException, InterruptedException {
        Path program = Path.of("native", "build", "print_constants");
        assertTrue(Files.isExecutable(program), "build it with: make -C native");
        Process process = new ProcessBuilder(program.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        for (String line : output.split("\n")) {
            String[] parts = line.trim().split(" ");
            HEADER_VALUES.put(parts[0], Long.parseLong(parts[1]));
        }
    }

    @Test
    void everyConstantMatchesTheHeader() throws IllegalAccessException {
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        List<Field> fields = new ArrayList<>(List.of(LibSsl.class.getFields()));
        fields.addAll(List.of(LibCrypto.class.getFields()));
        fields.addAll(List.of(LegacyTicketKeys.class.getFields()));
        fields.addAll(List.of(ClientServerName.class.getFields()));
        fields.addAll(List.of(ServerNameCallback.class.getFields()));
        for (Field field : fields) {
            if (!Modifier.isStatic(field.getModifiers()) || !(field.getType() == int.class || field.getType() == long.class)) {
                continue;
            }
            Long header = HEADER_VALUES.get(field.getName());
            long java = ((Number) field.get(null)).longValue();
            if (header == null) {
                mismatches.add(field.getName() + ": not printed by native/print_constants.c");
            } else if (header != java) {
                mismatches.add(field.getName() + ": Java " + java + ", header " + header);
            }
            checked++;
        }
        assertEquals(List.of(), mismatches);
        assertTrue(checked >= 35, "checked " + checked + " constants");
    }

    @Test
    void enumCodesMatchTheHeader() {
        for (TicketStatus status : TicketStatus.values()) {
            assertEquals(HEADER_VALUES.get("SSL_TICKET_" + status.name()), (long) status.code(), status.name());
        }
        for (TicketReturn value : TicketReturn.values()) {
            assertEquals(HEADER_VALUES.get("SSL_TICKET_RETURN_" + value.name()), (long) value.code(), value.name());
        }
    }
}
