package io.cairn.tools;

import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.CairnProcess.Running;
import io.cairn.tools.TestImages.Snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static io.cairn.tools.CairnProcess.cairn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One kill -9 of a real {@code cairn} child process at one moment of one operation, and the checks every such
 * moment must pass (FORMAT.md section 6): {@code cairn verify} exits 0 and reports only reclaimable leftovers
 * (every file left in tmp/ is named as reclaimable), every restore point in the repository restores bit-exact
 * (compared with the image as of its backup), the interrupted operation run again succeeds, the next backup
 * succeeds, and verify still exits 0.
 * <p>
 * A new kill point is one line in a suite's scenario list, e.g.
 * {@code KillScenario.pause("compact-before-delete#1", Operation.of("compact", "compact --repo {repo}"))}.
 * The checks after the kill run in the test JVM ({@link InProcessCairn}: same command code, no JVM start), so a
 * scenario costs about one child JVM.
 *
 * @param operation what the killed process runs
 * @param trigger   when it is killed
 */
record KillScenario(Operation operation, Trigger trigger) {
    /** Linux reports a process killed by SIGKILL as exit code 128 + 9. */
    static final int KILLED = 128 + 9;
    private static final String PAUSED = "cairn-debug-paused: ";

    /** Kill at a DebugPause/PausePoint ({@code NAME} or {@code NAME#K}, the K-th pass). */
    static KillScenario pause(final String point, final Operation operation) {
        return new KillScenario(operation, new Trigger.Pause(point));
    }

    /** Kill as soon as the repository shows a moment (polled every 2 ms; the process may finish first). */
    static KillScenario when(final String moment, final Predicate<Workspace> reached, final Operation operation) {
        return new KillScenario(operation, new Trigger.Moment(moment, reached));
    }

    /**
     * Kill a fixed time after the operation started writing (its first file appeared in tmp/; counting from the
     * process start would mostly measure JVM start-up). The process may finish first.
     */
    static KillScenario afterWriting(final long millis, final Operation operation) {
        return new KillScenario(operation, new Trigger.Delay(millis));
    }

    String name() {
        return operation.label() + " @ " + trigger.describe();
    }

    @Override
    public String toString() {
        return name();
    }

    /**
     * What the killed process runs: {@code command} with {@code {repo}}, {@code {repo2}} (an empty second
     * repository, created when used) and {@code {image:NAME}} (a fixture input) filled in.
     *
     * @param newPointDisk  the disk a new restore point of this operation may appear for (null: none)
     * @param newPointImage the fixture image such a point must restore to
     * @param thinsDisk     a disk whose older restore points this operation may remove (null: none)
     */
    record Operation(String label, String command, String newPointDisk, String newPointImage, String thinsDisk) {
        static Operation backup(final String label, final String disk, final String image) {
            return new Operation(label, "backup --repo {repo} --disk " + disk + " {image:" + image + "}", disk,
                    image, null);
        }

        static Operation of(final String label, final String command) {
            return new Operation(label, command, null, null, null);
        }

        Operation thinning(final String disk) {
            return new Operation(label, command, newPointDisk, newPointImage, disk);
        }

        String[] args(final Workspace w) throws IOException {
            final List<String> out = new ArrayList<>();
            for (String token : command.split(" ")) {
                out.add(w.substitute(token));
            }
            return out.toArray(String[]::new);
        }
    }

    /** When to kill. */
    sealed interface Trigger {
        String describe();

        record Pause(String point) implements Trigger {
            public String describe() {
                return point;
            }
        }

        record Moment(String label, Predicate<Workspace> reached) implements Trigger {
            public String describe() {
                return "when " + label;
            }
        }

        record Delay(long millis) implements Trigger {
            public String describe() {
                return millis + " ms after writing began";
            }
        }
    }

    /** One scenario's directory: a copy of the template repository, and a second repository if asked for. */
    record Workspace(Path dir, Path repo, FaultFixture fixture) {
        Path repo2() {
            return dir.resolve("repo2");
        }

        String substitute(final String token) throws IOException {
            if (token.equals("{repo}")) {
                return repo.toString();
            }
            if (token.equals("{repo2}")) {
                if (!Files.exists(repo2())) {
                    FaultFixture.initSmallPacks(repo2());
                }
                return repo2().toString();
            }
            if (token.startsWith("{image:") && token.endsWith("}")) {
                return fixture.image(token.substring(7, token.length() - 1)).toString();
            }
            return token;
        }

        List<Path> repositories() {
            return Files.exists(repo2()) ? List.of(repo, repo2()) : List.of(repo);
        }
    }

    /** The row of the suite's table: how the process ended and what each check found. */
    record Outcome(String process, String pointsAfterKill, String verifyAfterKill, String restores,
                   String thenRun, String finalVerify) {
    }

    /** Runs the scenario in {@code dir}; throws AssertionError when a check fails. */
    Outcome run(final FaultFixture fixture, final Path dir) throws IOException, InterruptedException {
        final Workspace w = new Workspace(dir, fixture.copyTemplate(dir), fixture);
        final String[] args = operation.args(w);
        final String process = kill(w, args);

        final List<String> verified = new ArrayList<>();
        for (Path repo : w.repositories()) {
            verified.add(assertVerifyCleanWithReclaimableLeftovers(repo));
        }
        final Map<String, String> points = assertPointsExpected(w);
        assertEveryPointRestores(w);

        CliChecks.assertOk(InProcessCairn.exec(operation.args(w)));
        final Result next = CliChecks.assertOk(InProcessCairn.exec("backup", "--repo", w.repo().toString(), "--disk",
                "vm", fixture.image("vm-next").toString(), "--json"));
        final String nextType = (String) MiniJson.object(next.lastStdoutLine()).get("type");
        final List<String> finalVerify = new ArrayList<>();
        for (Path repo : w.repositories()) {
            finalVerify.add(assertVerifyCleanWithReclaimableLeftovers(repo));
        }
        final int restored = assertEveryPointRestores(w);
        return new Outcome(process, points.size() + " (" + String.join(", ", new TreeSet<>(points.values())) + ")",
                String.join("; ", verified), restored + " bit-exact",
                "rerun exit 0, next backup exit 0 (" + nextType + ")", String.join("; ", finalVerify));
    }

    /** Starts the child, kills it at the trigger and says how it ended. */
    private String kill(final Workspace w, final String[] args) throws InterruptedException {
        final CairnProcess child = cairn();
        if (trigger instanceof Trigger.Pause p) {
            child.env("CAIRN_DEBUG_PAUSE_AT", p.point());
        }
        try (Running running = child.start(args)) {
            switch (trigger) {
                case Trigger.Pause p -> assertEquals(PAUSED + p.point(), running.awaitStderrLine(PAUSED));
                case Trigger.Moment m -> {
                    while (running.isAlive() && !m.reached().test(w)) {
                        Thread.sleep(2);
                    }
                }
                case Trigger.Delay d -> {
                    while (running.isAlive() && !Moments.inTmp("").test(w)) {
                        Thread.sleep(1);
                    }
                    final long until = System.nanoTime() + d.millis() * 1_000_000;
                    while (running.isAlive() && System.nanoTime() < until) {
                        Thread.sleep(2);
                    }
                }
            }
            final Result r = running.kill9();
            if (r.exitCode() == KILLED) {
                assertEquals("", r.stdout(), () -> "a killed command prints no result\n" + r.describe());
                return trigger instanceof Trigger.Pause ? "killed at pause" : "killed";
            }
            assertFalse(trigger instanceof Trigger.Pause, () -> "paused process not killed\n" + r.describe());
            assertEquals(Cairn.OK, r.exitCode(), () -> "finished before the kill, but not with success\n"
                    + r.describe());
            return "finished before the kill (exit 0)";
        }
    }

    /**
     * verify exits 0, prints no damage, names every tmp/ leftover as reclaimable. Returns "exit 0, N reclaimable".
     */
    static String assertVerifyCleanWithReclaimableLeftovers(final Path repo) throws IOException {
        final Result v = InProcessCairn.exec("verify", "--repo", repo.toString());
        assertEquals(Cairn.OK, v.exitCode(), () -> "verify after a kill must pass\n" + v.describe());
        assertTrue(v.stderr().contains(": OK:"), v::describe);
        for (String line : v.stdoutLines()) {
            assertFalse(line.contains("damaged"), () -> "damage after a kill\n" + v.describe());
        }
        final long reclaimable = v.stdoutLines().stream().filter(l -> l.startsWith("reclaimable ")).count();
        for (String f : CliChecks.files(repo.resolve("tmp"))) {
            assertTrue(v.stdoutLines().stream().anyMatch(l -> l.contains(f) && l.startsWith("reclaimable ")),
                    () -> "tmp/" + f + " should be reported as reclaimable\n" + v.describe());
        }
        return "exit 0, " + reclaimable + " reclaimable";
    }

    /**
     * Every point in the repositories is a template point or a new point of the operation's disk; every template
     * point is still somewhere, unless the operation may thin its disk (never the newest). Returns id -> "disk
     * kind" for the table.
     */
    private Map<String, String> assertPointsExpected(final Workspace w) {
        final Map<String, String> seen = new HashMap<>();
        for (Path repo : w.repositories()) {
            for (Map<String, Object> p : listPoints(repo)) {
                final String id = (String) p.get("id");
                final String disk = (String) p.get("disk");
                final boolean template = w.fixture().pointSnapshot(id) != null;
                assertTrue(template || disk.equals(operation.newPointDisk()),
                        () -> "unexpected restore point " + id + " of disk " + disk + " in " + repo);
                seen.put(id, template ? disk : disk + " (new)");
            }
        }
        for (Map.Entry<String, List<String>> e : w.fixture().pointsOfDisk().entrySet()) {
            final List<String> ids = e.getValue();
            for (int i = 0; i < ids.size(); i++) {
                final String id = ids.get(i);
                final boolean mayGo = e.getKey().equals(operation.thinsDisk()) && i < ids.size() - 1;
                assertTrue(mayGo || seen.containsKey(id), () -> "restore point " + id + " of disk " + e.getKey()
                        + " was lost by " + name());
            }
        }
        return seen;
    }

    /** Restores every point of every repository and compares it with the image as of its backup. */
    private int assertEveryPointRestores(final Workspace w) throws IOException {
        int n = 0;
        for (Path repo : w.repositories()) {
            for (Map<String, Object> p : listPoints(repo)) {
                final String id = (String) p.get("id");
                final String disk = (String) p.get("disk");
                Snapshot expected = w.fixture().pointSnapshot(id);
                if (expected == null) {
                    expected = disk.equals("vm") ? w.fixture().imageSnapshot("vm-next")
                            : w.fixture().imageSnapshot(operation.newPointImage());
                }
                assertNotNull(expected, id);
                final Path to = w.dir().resolve("restored.img");
                CliChecks.assertOk(InProcessCairn.exec("restore", "--repo", repo.toString(), "--disk", disk,
                        "--point", id, "--to", to.toString()));
                TestImages.assertRestored(expected, to);
                Files.delete(to);
                n++;
            }
        }
        return n;
    }

    private static List<Map<String, Object>> listPoints(final Path repo) {
        final Result r = CliChecks.assertOk(InProcessCairn.exec("list", "--repo", repo.toString(), "--json"));
        return MiniJson.arrayOfObjects(r.stdout());
    }

    /** Moments for {@link #when}: files the running operation leaves in the repository. */
    static final class Moments {
        private Moments() {
        }

        /** A pack in tmp/ has at least {@code bytes} written. */
        static Predicate<Workspace> tmpPackAtLeast(final long bytes) {
            return w -> largest(w.repo().resolve("tmp"), ".pack.tmp") >= bytes;
        }

        /** At least {@code n} packs more than the template had are published. */
        static Predicate<Workspace> packsPublished(final int n) {
            return w -> {
                try {
                    return FaultFixture.packs(w.repo()).size() >= w.fixture().packCount() + n;
                } catch (IOException e) {
                    return false; // a directory appeared or went while walking: look again
                }
            };
        }

        /** A file whose name ends with {@code suffix} exists in tmp/. */
        static Predicate<Workspace> inTmp(final String suffix) {
            return w -> largest(w.repo().resolve("tmp"), suffix) >= 0;
        }

        private static long largest(final Path dir, final String suffix) {
            long max = -1;
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (p.getFileName().toString().endsWith(suffix)) {
                        try {
                            max = Math.max(max, Files.size(p));
                        } catch (IOException e) {
                            // renamed or deleted meanwhile
                        }
                    }
                }
            } catch (IOException e) {
                return -1;
            }
            return max;
        }
    }

    /** Used by suites to check a scenario list has no duplicate moments. */
    static Set<String> names(final List<KillScenario> scenarios) {
        final Set<String> names = new java.util.LinkedHashSet<>();
        for (KillScenario s : scenarios) {
            if (!names.add(s.name())) {
                fail("duplicate kill scenario " + s.name());
            }
        }
        return names;
    }
}
