package org.blockcloset.gateway.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's chromium and chromium-driver) driven by Selenium, for the
 * console's tests. Every page the test looks at can be saved as a screenshot under
 * {@code target/console-screenshots/} for a person to look at.
 */
final class Browser implements AutoCloseable {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    final ChromeDriver driver;
    private final Path profile;

    Browser() throws IOException {
        requireInstalled();
        profile = TempDirs.create("blockcloset-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // Background networking off: this machine refuses connections to the internet, many at a time.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        Files.createDirectories(SCREENSHOTS);
    }

    /** In CI a missing browser fails the test; elsewhere the test is skipped, saying what to install. */
    static void requireInstalled() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String why = "console browser tests need Debian's chromium and chromium-driver at " + CHROMIUM + " and "
                    + CHROMEDRIVER + " (apt-get install chromium chromium-driver; .ci/run installs them)";
            if ("true".equals(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail(why);
            }
            org.junit.jupiter.api.Assumptions.abort(why);
        }
    }

    /** First-run setup of {@code node}'s console with the code its start printed; ends logged in as admin. */
    void setUp(Node node, String password) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Console setup code: ([A-Z0-9]{5}-[A-Z0-9]{5})")
                .matcher(Files.readString(node.log()));
        if (!m.find()) {
            throw new IllegalStateException("no console setup code in " + node.log());
        }
        open(node.adminUrl() + "/console/setup");
        type("#setupCode", m.group(1));
        type("#clusterName", "test");
        type("#password", password);
        type("#password2", password);
        clickAndWait("#setup");
        if (!path().equals("/console/connect")) {
            throw new IllegalStateException("setup did not finish: " + text("main"));
        }
    }

    void open(String url) {
        driver.get(url);
    }

    String path() {
        return java.net.URI.create(driver.getCurrentUrl()).getPath();
    }

    WebElement find(String css) {
        return new WebDriverWait(driver, Duration.ofSeconds(10)).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(css)));
    }

    void type(String css, String text) {
        WebElement e = find(css);
        e.clear();
        e.sendKeys(text);
    }

    /** Clicks and waits until the page it led to has loaded (the old page's element went stale). */
    void clickAndWait(String css) {
        WebElement e = find(css);
        WebElement html = driver.findElement(By.tagName("html"));
        e.click();
        // The old page is gone once its root element is: Chromium reports that as a stale element, or,
        // caught mid-navigation, as an inspector error about a node no longer in the document.
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> {
            try {
                html.isEnabled();
                return false;
            } catch (org.openqa.selenium.WebDriverException gone) {
                return true;
            }
        });
        find("main");
    }

    String text(String css) {
        return find(css).getText();
    }

    void screenshot(String name) throws IOException {
        Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    /** A screenshot as a phone of 390×844 CSS pixels would show the page. */
    void phoneScreenshot(String name) throws IOException {
        Dimension before = driver.manage().window().getSize();
        driver.manage().window().setSize(new Dimension(390, 844));
        try {
            screenshot(name);
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            TempDirs.delete(profile);
        }
    }
}
