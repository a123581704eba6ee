package dev.dtp.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's help renders without picocli warnings: descriptions are format strings, and a lone
 * {@code %} (say "28% of") makes picocli print a warning on stderr and leave the text unformatted.
 */
class HelpTextTest {
    @Test
    void everyCommandsHelpRendersWithoutWarnings() {
        List<String> commands = new ArrayList<>();
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            visit(DtpCli.commandLine(false), commands);
        } finally {
            System.setErr(stderr);
        }
        assertTrue(commands.size() > 10, "only " + commands + " found");
        assertEquals("", captured.toString(StandardCharsets.UTF_8), "picocli warned while rendering the help of " + commands);
    }

    private static void visit(CommandLine cli, List<String> commands) {
        assertTrue(cli.getUsageMessage().contains("Usage:"), cli.getCommandName());
        commands.add(cli.getCommandSpec().qualifiedName());
        for (CommandLine sub : cli.getSubcommands().values()) {
            visit(sub, commands);
        }
    }
}
