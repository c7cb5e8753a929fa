package org.blockcloset.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.blockcloset.gateway.settings.NodeSettings;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * blockcloset.yml declares every setting (name, default; NodeSettings reads it); the README's settings
 * table and the env files follow it. This keeps them from drifting apart.
 */
class SettingsDocumentedTest {
    private static final Pattern YML_VAR = Pattern.compile("\\$\\{(BLOCKCLOSET_[A-Z0-9_]+):-([^}]*)}");
    private static final Pattern NAME = Pattern.compile("BLOCKCLOSET_[A-Z0-9_]+");

    private static Set<String> declared() {
        Set<String> out = new TreeSet<>();
        NodeSettings.all().forEach(setting -> out.add(setting.name()));
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

    @Test
    void theParserFindsEverySettingTheYamlMentions() throws Exception {
        String yaml = Files.readString(Path.of("src/main/resources/blockcloset.yml"));
        Matcher m = YML_VAR.matcher(yaml);
        Set<String> mentioned = new TreeSet<>();
        while (m.find()) {
            mentioned.add(m.group(1));
        }
        assertEquals(mentioned, declared(), "a ${BLOCKCLOSET_...} line NodeSettings does not read");
        assertEquals(NodeSettings.all().size(), mentioned.size(), "each setting declared once");
    }

    @Test
    void theReadmeGivesEachSettingTheDefaultTheYamlDeclares() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String table = readme.substring(readme.indexOf("## Settings"), readme.indexOf("\n## ", readme.indexOf("## Settings") + 1));
        int checked = 0;
        for (String row : table.split("\n")) {
            String[] cells = row.split("\\|");
            if (cells.length < 4 || !cells[1].contains("BLOCKCLOSET_")) {
                continue;
            }
            Set<String> vars = names(cells[1]);
            String given = cells[2].trim();
            for (String var : vars) {
                if (!declared().contains(var)) {
                    continue; // read by the launcher, not the node (BLOCKCLOSET_JAVA_OPTS)
                }
                String declared = NodeSettings.get(var).defaultValue();
                if (given.startsWith("(none")) {
                    assertEquals("", declared, var + ": the README says (none)");
                    checked++;
                } else if (given.matches("`[^`]*`") && vars.size() == 1) {
                    assertEquals(declared, given.substring(1, given.length() - 1), var + "'s default in the README");
                    checked++;
                }
            }
        }
        assertTrue(checked >= 25, "most rows name their default as the YAML does: " + checked);
    }

    @Test
    void diagnosticsShowEverySettingButTheSecrets() {
        java.util.Map<String, String> env = java.util.Map.of("BLOCKCLOSET_SECRET_ACCESS_KEY", "s3cr3t-value",
                "BLOCKCLOSET_ACCESS_KEY_ID", "AKIDSHOWN", "BLOCKCLOSET_JOIN_TOKEN", "token-value", "BLOCKCLOSET_CAPACITY", "3GiB");
        java.util.Map<String, Object> shown = NodeSettings.withoutSecrets(env);
        assertEquals(declared(), shown.keySet());
        assertEquals("(set)", shown.get("BLOCKCLOSET_SECRET_ACCESS_KEY"));
        assertEquals("(set)", shown.get("BLOCKCLOSET_JOIN_TOKEN"));
        assertEquals("(none)", shown.get("BLOCKCLOSET_METRICS_TOKEN"));
        assertEquals("AKIDSHOWN", shown.get("BLOCKCLOSET_ACCESS_KEY_ID"));
        assertEquals("3GiB", shown.get("BLOCKCLOSET_CAPACITY"));
        assertEquals("9000", shown.get("BLOCKCLOSET_S3_PORT"), "a default where unset");
        assertTrue(!shown.toString().contains("s3cr3t-value") && !shown.toString().contains("token-value"));
        // A secret by its name, even where the YAML forgot to mark it.
        String prefix = "BLOCKCLOSET_"; // kept apart so no scan takes these made-up names for settings
        var parsed = NodeSettings.parse("newToken: ${" + prefix + "NEW_TOKEN:-}\nplain: ${" + prefix + "PLAIN:-x}  # secret\n"
                + "open: ${" + prefix + "OPEN:-y}\n");
        assertEquals(java.util.List.of(true, true, false), parsed.stream().map(NodeSettings.Setting::secret).toList());
    }
}
