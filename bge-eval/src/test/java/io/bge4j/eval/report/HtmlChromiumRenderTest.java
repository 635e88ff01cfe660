package io.bge4j.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the comparison page with headless Chromium and checks that a screenshot was produced and
 * that the chart's bars are drawn in their colours. Skipped when Chromium is not installed
 * ({@code apt-get install chromium}); see docs/eval.md.
 */
class HtmlChromiumRenderTest {
    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/chromium"),
            Path.of("/usr/bin/chromium-browser"), Path.of("/usr/bin/google-chrome"));

    @Test
    void rendersInHeadlessChromium(@TempDir Path dir) throws IOException, InterruptedException {
        Path chromium = CANDIDATES.stream().filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(chromium != null, "headless Chromium not installed; skipping the render check");
        Path html = dir.resolve("report.html");
        HtmlReport.write(ReportsTest.comparison(), html);
        Path png = dir.resolve("report.png");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--window-size=1100,900", "--screenshot=" + png, html.toUri().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish in 120 s");
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + read(dir.resolve("chromium.log")));
        assertTrue(Files.size(png) > 5_000, "screenshot too small");
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1100, img.getWidth());
        int tuned = 0;
        int base = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                if (rgb == 0x1a73e8) {
                    tuned++;
                } else if (rgb == 0x9aa0a6) {
                    base++;
                }
            }
        }
        assertTrue(tuned > 200 && base > 200, "bars not drawn: tuned px " + tuned + ", base px " + base);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
