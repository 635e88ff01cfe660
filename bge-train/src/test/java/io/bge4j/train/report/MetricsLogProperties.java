package io.bge4j.train.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bge4j.train.TrainingDiagnostic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Any diagnostic text, with quotes, newlines, control characters or half a surrogate pair, survives the log. */
class MetricsLogProperties {

    @Property(tries = 200)
    void diagnosticLinesReadBackEqual(@ForAll @Size(max = 4) List<String> codes, @ForAll String message,
            @ForAll String suggestion, @ForAll TrainingDiagnostic.Severity severity,
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long step) throws Exception {
        List<TrainingDiagnostic> ds = new ArrayList<>();
        ds.add(new TrainingDiagnostic(severity, "CODE", step, message, suggestion));
        for (String c : codes) {
            ds.add(new TrainingDiagnostic(severity, c, step, suggestion, message));
        }
        Path dir = Files.createTempDirectory("metrics-prop");
        try {
            Path f = dir.resolve("metrics.jsonl");
            List<String> lines = new ArrayList<>();
            for (TrainingDiagnostic d : ds) {
                String line = MetricsLog.line(d);
                assertEquals(-1, line.indexOf('\n'), "one line");
                lines.add(line);
            }
            Files.write(f, lines, StandardCharsets.UTF_8);
            assertEquals(ds, MetricsLog.read(f).diagnostics());
        } finally {
            Files.deleteIfExists(dir.resolve("metrics.jsonl"));
            Files.deleteIfExists(dir);
        }
    }

    /** Every UTF-16 code unit, lone surrogates included (the default generator leaves them out). */
    @Property(tries = 200)
    void anyCodeUnitReadsBack(@ForAll @CharRange(from = '\u0000', to = '\uffff') String message,
            @ForAll @CharRange(from = '\ud800', to = '\udfff') String surrogates) throws Exception {
        diagnosticLinesReadBackEqual(List.of(surrogates), message, surrogates + message,
                TrainingDiagnostic.Severity.WARNING, 1);
    }
}
