package org.blockcloset.gateway.settings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node's settings as {@code blockcloset.yml} declares them, the one place each is declared:
 * every {@code ${BLOCKCLOSET_...:-default}} there is a setting, its default written there only, and
 * a {@code # secret} comment on its line (or a name with SECRET, TOKEN, PASSWORD, WEBHOOK or PRIVATE in
 * it) keeps its value out of diagnostics. Dropwizard fills
 * the node's configuration class (types, validation) from that file; what reads a setting outside
 * it (the status command, the diagnostic bundle) reads it here, and SettingsDocumentedTest holds the
 * README's table and the env files to it. Adding a setting: its line in the YAML, its field, its use
 * (the test names the README row it then wants).
 */
public final class NodeSettings {
    /** One setting: its variable, the YAML key it fills, its default, whether its value is a secret. */
    public record Setting(String name, String key, String defaultValue, boolean secret) {
        /** Its value in {@code env}, as Dropwizard's substitution reads it: the default only when unset. */
        public String value(Map<String, String> env) {
            String v = env.get(name);
            return v == null ? defaultValue : v;
        }
    }

    /** The bundled YAML the node reads (and declares its settings in). */
    public static final String FILE = "blockcloset.yml";
    private static final Pattern LINE = Pattern.compile(
            "^\\s*(?:- )?([A-Za-z][A-Za-z0-9]*):\\s*\\[?\"?\\$\\{(BLOCKCLOSET_[A-Z0-9_]+):-([^}]*)}\"?]?\\s*(#.*)?$");
    /** A name that says secret is one, marked or not: a new token must not reach a diagnostic bundle by omission. */
    private static final Pattern SECRET_NAME = Pattern.compile("SECRET|TOKEN|PASSWORD|WEBHOOK|PRIVATE");
    private static final List<Setting> ALL = parse(bundled());

    private NodeSettings() {
    }

    private static String bundled() {
        try (InputStream in = NodeSettings.class.getClassLoader().getResourceAsStream(FILE)) {
            if (in == null) {
                throw new IllegalStateException(FILE + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The settings {@code yaml} declares, in its order. */
    public static List<Setting> parse(String yaml) {
        List<Setting> out = new ArrayList<>();
        for (String line : yaml.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                String comment = m.group(4) == null ? "" : m.group(4);
                out.add(new Setting(m.group(2), m.group(1), m.group(3),
                        comment.matches("#\\s*secret\\b.*") || SECRET_NAME.matcher(m.group(2)).find()));
            }
        }
        return List.copyOf(out);
    }

    public static List<Setting> all() {
        return ALL;
    }

    /** The declared setting {@code name}; a name not in the YAML is a programming error. */
    public static Setting get(String name) {
        for (Setting s : ALL) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException(name + " is not declared in " + FILE);
    }

    /**
     * Every setting's value in {@code env} for the diagnostic bundle: the default where unset, and
     * for a secret only whether it is set.
     */
    public static Map<String, Object> withoutSecrets(Map<String, String> env) {
        Map<String, Object> out = new TreeMap<>();
        for (Setting s : ALL) {
            String v = s.value(env);
            out.put(s.name(), s.secret() ? (v.isBlank() ? "(none)" : "(set)") : (v.isBlank() ? "(none)" : v));
        }
        return out;
    }
}
