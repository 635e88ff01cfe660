package io.bge4j.core;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Finds the model artifacts on the class path. Each one carries
 * {@value #REGISTRATION}, a properties file with {@code <model>.weights} (an ONNX resource),
 * {@code <model>.tokenizer} (a {@code tokenizer.json} resource) and {@code <model>.artifact} (its Maven
 * coordinates). A plain resource rather than a {@code ServiceLoader} class, so the model artifacts need
 * no bge4j code and bge-core's own tests can depend on them without a Maven cycle.
 */
final class EmbeddedModels {

    static final String REGISTRATION = "META-INF/bge4j/models.properties";

    /** One registered model. */
    record Registration(String model, String weightsResource, String tokenizerResource, String artifact, URL from) {}

    private EmbeddedModels() {}

    /** @return model name → registration, for every registration file visible to {@code cl} */
    static Map<String, Registration> find(ClassLoader cl) {
        Map<String, Registration> out = new LinkedHashMap<>();
        try {
            for (URL url : Collections.list(cl.getResources(REGISTRATION))) {
                Properties p = new Properties();
                try (InputStream in = url.openStream()) {
                    p.load(in);
                }
                for (String key : p.stringPropertyNames()) {
                    if (!key.endsWith(".weights")) {
                        continue;
                    }
                    String model = key.substring(0, key.length() - ".weights".length());
                    String tok = p.getProperty(model + ".tokenizer");
                    if (tok == null) {
                        throw new ModelFormatException(url + ": " + model + ".weights has no " + model + ".tokenizer entry");
                    }
                    out.putIfAbsent(model, new Registration(model, p.getProperty(key), tok,
                            p.getProperty(model + ".artifact", "?"), url));
                }
            }
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + REGISTRATION + " from the class path: " + e.getMessage(), e);
        }
        return out;
    }

    /** @return the registration of {@code model}, if a model artifact for it is on the class path */
    static Optional<Registration> find(ClassLoader cl, String model) {
        return Optional.ofNullable(find(cl).get(model));
    }
}
