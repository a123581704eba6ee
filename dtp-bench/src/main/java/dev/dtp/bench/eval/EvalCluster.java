package dev.dtp.bench.eval;

import dev.dtp.core.InputException;
import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * Runs {@code dtp eval --spark MASTER} on a cluster. The implementation lives in the optional
 * {@code dtp-spark} module (Apache Spark) and is found on the class path with {@link ServiceLoader}.
 */
public interface EvalCluster {
    /**
     * Checks the job's files, connects to {@code master} and, where tasks run in this JVM, loads the
     * model for them.
     *
     * @param master a Spark master URL: {@code local[N]}, {@code spark://HOST:7077}, {@code yarn}, {@code k8s://...}
     */
    EvalSession open(String master, EvalJob job);

    /** The implementation on the class path, or a clear error saying how to get one. */
    static EvalCluster find() {
        Iterator<EvalCluster> found = ServiceLoader.load(EvalCluster.class).iterator();
        if (!found.hasNext()) {
            throw new InputException("--spark needs the dtp-spark module on the class path: build it with "
                    + "'mvn -B install -pl dtp-spark -am' and run through ./dtp (which then adds it), or put "
                    + "dtp-spark/target/dtp-spark-*.jar, dtp-spark/target/lib/* and dtp-spark/target/spark-lib/* on the class path");
        }
        return found.next();
    }
}
