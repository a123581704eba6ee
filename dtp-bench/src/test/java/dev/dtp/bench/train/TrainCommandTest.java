package dev.dtp.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.dtp.bench.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recipe's three commands on a toy scale: stage one stopped early, resumed, grown to more layers. */
class TrainCommandTest {
    @TempDir
    Path dir;

    @Test
    void stopResumeAndGrow() throws Exception {
        Path small = dir.resolve("small");
        String[] common = {"--d-model", "16", "--d-state", "4", "--feature-width", "8", "--batch", "2", "--val-count", "5",
                "--train-count", "12", "--follow-ups", "2", "--eval-every", "2", "--threads", "1"};
        CliRun first = CliRun.of(concat(new String[] {"train", "--out", small.toString(), "--layers", "2", "--steps", "6",
                "--vision-steps", "3", "--stop-at", "2"}, common));
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().contains("vision step 3"), first.out());
        assertTrue(first.out().contains("Stopped at step 2"), first.out());
        assertEquals(1, Files.readAllLines(small.resolve("training-log.jsonl")).size());

        CliRun resumed = CliRun.of(concat(new String[] {"train", "--out", small.toString(), "--layers", "2", "--steps", "4",
                "--resume"}, common));
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(resumed.out().contains("Resuming"), resumed.out());
        assertEquals(3, Files.readAllLines(small.resolve("training-log.jsonl")).size());

        Path big = dir.resolve("big");
        CliRun grown = CliRun.of(concat(new String[] {"train", "--out", big.toString(), "--layers", "4", "--steps", "2",
                "--grow-from", small.toString(), "--freeze-vision"}, common));
        assertEquals(0, grown.exit(), grown.err());
        // frozen: the front end is still the small model's; the language model trained on
        var before = TrainCommand.tensors(small);
        var after = TrainCommand.tensors(big);
        before.keySet().stream().filter(VlmParameters::isVision)
                .forEach(name -> assertTrue(Arrays.equals(before.get(name), after.get(name)), name));
        String layer0 = "backbone.layers.0.mixer.in_proj.weight";
        assertTrue(!Arrays.equals(before.get(layer0), after.get(layer0)), layer0);
        assertTrue(grown.out().contains("Grown from"), grown.out());
        JsonObject config = JsonParser.parseString(Files.readString(big.resolve("config.json"))).getAsJsonObject();
        assertEquals(4, config.get("num_hidden_layers").getAsInt());
        String command = config.getAsJsonObject("training").get("command").getAsString();
        assertTrue(command.contains("--follow-ups 2") && command.contains("--grow-from " + small)
                && command.contains("--freeze-vision"), command);

        CliRun wrong = CliRun.of(concat(new String[] {"train", "--out", dir.resolve("bad").toString(), "--layers", "3",
                "--steps", "2", "--grow-from", small.toString()}, common));
        assertTrue(wrong.exit() != 0 && wrong.err().contains("multiple"), wrong.err());
    }

    @Test
    void aVisionFrontEndIsTakenFromAnotherModel() throws Exception {
        String[] common = {"--d-model", "16", "--d-state", "4", "--feature-width", "8", "--batch", "2", "--val-count", "4",
                "--train-count", "8", "--follow-ups", "1", "--eval-every", "2", "--threads", "1"};
        Path donor = dir.resolve("donor");
        CliRun first = CliRun.of(concat(new String[] {"train", "--out", donor.toString(), "--layers", "1", "--steps", "2",
                "--vision-steps", "3"}, common));
        assertEquals(0, first.exit(), first.err());
        Path deeper = dir.resolve("deeper");
        CliRun taken = CliRun.of(concat(new String[] {"train", "--out", deeper.toString(), "--layers", "3", "--steps", "2",
                "--vision-steps", "5", "--vision-from", donor.toString(), "--freeze-vision", "--seed", "4"}, common));
        assertEquals(0, taken.exit(), taken.err());
        assertTrue(taken.out().contains("Vision front end from") && !taken.out().contains("vision step"), taken.out());
        var before = TrainCommand.tensors(donor);
        var after = TrainCommand.tensors(deeper);
        long vision = before.keySet().stream().filter(VlmParameters::isVision).count();
        assertTrue(vision >= 3, before.keySet().toString());
        before.keySet().stream().filter(VlmParameters::isVision)
                .forEach(name -> assertTrue(Arrays.equals(before.get(name), after.get(name)), name));
        String command = JsonParser.parseString(Files.readString(deeper.resolve("config.json"))).getAsJsonObject()
                .getAsJsonObject("training").get("command").getAsString();
        assertTrue(command.contains("--vision-from " + donor) && command.contains("--vision-steps 0"), command);

        String[] wider = Arrays.copyOf(common, common.length);
        wider[5] = "12"; // --feature-width
        CliRun wrong = CliRun.of(concat(new String[] {"train", "--out", dir.resolve("bad").toString(), "--layers", "1",
                "--steps", "2", "--vision-from", donor.toString()}, wider));
        assertTrue(wrong.exit() != 0 && (wrong.err().contains("vision.") || wrong.err().contains("projector.")), wrong.err());
        assertTrue(wrong.err().contains("--feature-width"), wrong.err());
    }

    @Test
    void locationQuestionsAreValidatedAndRecorded() throws Exception {
        Path out = dir.resolve("loc");
        CliRun run = CliRun.of("train", "--out", out.toString(), "--layers", "1", "--steps", "2", "--d-model", "16",
                "--d-state", "4", "--d-conv", "3", "--feature-width", "8", "--batch", "2", "--val-count", "6",
                "--train-count", "8", "--follow-ups", "2", "--eval-every", "2", "--threads", "1", "--families",
                "count,spatial", "--location-questions");
        assertEquals(0, run.exit(), run.err());
        JsonObject line = JsonParser.parseString(Files.readAllLines(out.resolve("training-log.jsonl")).get(0)).getAsJsonObject();
        JsonObject accuracy = line.getAsJsonObject("val_accuracy");
        assertTrue(accuracy.has("location") && accuracy.has("count") && !accuracy.has("attribute"), accuracy.toString());
        JsonObject config = JsonParser.parseString(Files.readString(out.resolve("config.json"))).getAsJsonObject();
        assertEquals(3, config.get("conv_kernel").getAsInt());
        String command = config.getAsJsonObject("training").get("command").getAsString();
        assertTrue(command.contains("--d-conv 3") && command.contains("--families count,spatial")
                && command.contains("--location-questions"), command);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
