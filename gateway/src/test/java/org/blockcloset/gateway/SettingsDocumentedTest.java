package org.blockcloset.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * blockcloset.yml declares every setting (name, default); the README's settings table and the env
 * files follow it. This keeps them from drifting apart.
 */
class SettingsDocumentedTest {
    private static final Pattern YML_VAR = Pattern.compile("\\$\\{(BLOCKCLOSET_[A-Z0-9_]+):-([^}]*)}");
    private static final Pattern NAME = Pattern.compile("BLOCKCLOSET_[A-Z0-9_]+");

    private static Set<String> declared() throws Exception {
        Set<String> out = new TreeSet<>();
        Matcher m = YML_VAR.matcher(Files.readString(Path.of("src/main/resources/blockcloset.yml")));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static Set<String> names(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = NAME.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @Test
    void everySettingIsInTheReadmeTable() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String table = readme.substring(readme.indexOf("## Settings"), readme.indexOf("\n## ", readme.indexOf("## Settings") + 1));
        Set<String> missing = declared();
        missing.removeAll(names(table));
        assertEquals(Set.of(), missing, "settings in blockcloset.yml without a row in README's Settings table");
    }

    @Test
    void envFilesSetOnlyDeclaredSettings() throws Exception {
        Set<String> declared = declared();
        // Read by the launcher or by the test harness rather than by the node's YAML.
        declared.addAll(Set.of("BLOCKCLOSET_ENV", "BLOCKCLOSET_JAVA_OPTS"));
        try (var files = Files.list(Path.of("../env"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith(".env")).toList()) {
                Set<String> unknown = new TreeSet<>();
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank() && !line.startsWith("#")) {
                        unknown.add(line.substring(0, line.indexOf('=')).trim());
                    }
                }
                unknown.removeAll(declared);
                assertEquals(Set.of(), unknown, f + " sets settings the node does not declare");
            }
        }
    }
}
