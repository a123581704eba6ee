package dev.dtp.bench.cli;

import dev.dtp.bench.analysis.AnalyzeCommand;
import dev.dtp.bench.analysis.CalibrateCommand;
import dev.dtp.bench.data.DataCommand;
import dev.dtp.bench.eval.EvalCommand;
import dev.dtp.bench.train.TrainCommand;
import dev.dtp.core.DtpException;
import dev.dtp.mamba.VectorApi;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code dtp} command line: run, measure and analyse DTP pruning on Mamba models. */
@Command(name = "dtp", mixinStandardHelpOptions = true, version = "dtp 0.1.0",
        description = "Delta-guided two-stage pruning (DTP) for Mamba multimodal models.",
        subcommands = {DemoCommand.class, LogitsCommand.class, BenchCommand.class, FlopsCommand.class,
                DataCommand.class, TrainCommand.class,
                EvalCommand.class, GenerateCommand.class,
                AnalyzeCommand.class, CalibrateCommand.class,
                ConvertCommand.class, RandomCommand.class})
public final class DtpCli implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand (try 'dtp demo' or 'dtp --help')");
    }

    public static void main(String[] args) {
        boolean verbose = Arrays.asList(args).contains("-v") || Arrays.asList(args).contains("--verbose");
        configureLogging(verbose);
        VectorApi.unavailableReason().ifPresent(why -> System.err.println("dtp: the Vector API kernels are off (" + why
                + "); the prefill and decode take their slower plain-Java and libtorch paths. Use JDK 17 to 19 for full speed."));
        System.exit(commandLine(verbose).execute(Arrays.stream(args)
                .filter(a -> !a.equals("-v") && !a.equals("--verbose")).toArray(String[]::new)));
    }

    /** Must run before the first logger is created. */
    static void configureLogging(boolean verbose) {
        if (System.getProperty("offline") == null) {
            System.setProperty("offline", "true"); // DJL: never download at run time
        }
        if (verbose) {
            System.setProperty("org.slf4j.simpleLogger.log.dev.dtp", "debug"); // the library's own debug log
        }
    }

    /** The configured command line: one-line errors, stack traces only when verbose. */
    public static CommandLine commandLine(boolean verbose) {
        CommandLine cli = new CommandLine(new DtpCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("dtp: error: " + message(e));
            if (verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("dtp: error: " + e.getMessage());
            err.println("try 'dtp " + String.join(" ", commandPath(e.getCommandLine())) + " --help'");
            err.flush();
            return 2;
        });
        return cli;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return e instanceof DtpException || e instanceof IOException
                ? m : e.getClass().getSimpleName() + ": " + m;
    }

    private static List<String> commandPath(CommandLine cl) {
        LinkedList<String> names = new LinkedList<>();
        for (CommandLine c = cl; c != null && c.getParent() != null; c = c.getParent()) {
            names.addFirst(c.getCommandName());
        }
        return names;
    }
}
