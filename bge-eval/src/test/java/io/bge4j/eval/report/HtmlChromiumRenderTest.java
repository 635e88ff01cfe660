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
 * Renders the comparison page (with rankings, mixing and mining) in headless Chromium and checks that a
 * screenshot was produced and that the page's parts are painted: the primary metric's interval dot,
 * the grey grid cells (intervals that include 0), the green rows of relevant retrieved documents, and
 * the red negative-score bars. Skipped when Chromium is not installed ({@code apt-get install chromium});
 * see docs/reports.md. {@code -Dbge4j.reportSample=DIR} keeps the page and its screenshot there.
 */
class HtmlChromiumRenderTest {
    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/chromium"),
            Path.of("/usr/bin/chromium-browser"), Path.of("/usr/bin/google-chrome"));

    @Test
    void rendersInHeadlessChromium(@TempDir Path dir) throws IOException, InterruptedException {
        Path chromium = CANDIDATES.stream().filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(chromium != null, "headless Chromium not installed; skipping the render check");
        Path html = dir.resolve("report.html");
        HtmlReport.write(ComparisonReportTest.rich(), html);
        Path png = dir.resolve("report.png");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--user-data-dir=" + dir.resolve("profile"), "--window-size=1100,2200", "--screenshot=" + png, html.toUri().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish in 120 s");
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + read(dir.resolve("chromium.log")));
        assertTrue(Files.size(png) > 5_000, "screenshot too small");
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1100, img.getWidth());
        int dot = 0;
        int grey = 0;
        int green = 0;
        int red = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                if (rgb == 0xe37400) {          // HtmlReport.UNDECIDED: the delta's dot
                    dot++;
                } else if (rgb == 0xf1f3f4) {   // grid cells whose interval includes 0
                    grey++;
                } else if (rgb == 0xe6f4ea) {   // relevant documents in the retrieved lists
                    green++;
                } else if (closeTo(rgb, 0xd93025, 0.55)) { // negative-score bars, 55 % opaque on white
                    red++;
                }
            }
        }
        assertTrue(dot > 10 && grey > 300 && green > 300 && red > 50,
                "parts not painted: dot " + dot + ", grey cells " + grey + ", relevant rows " + green + ", red bars " + red);
        String keep = System.getProperty("bge4j.reportSample");
        if (keep != null) {
            Files.createDirectories(Path.of(keep));
            Files.copy(html, Path.of(keep, "comparison-report.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(png, Path.of(keep, "comparison-report.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Whether rgb is colour painted at the given opacity over white, within 3 per channel. */
    private static boolean closeTo(int rgb, int colour, double alpha) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int c = (colour >> shift) & 0xFF;
            int want = (int) Math.round(alpha * c + (1 - alpha) * 255);
            if (Math.abs(((rgb >> shift) & 0xFF) - want) > 3) {
                return false;
            }
        }
        return true;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
