package io.bge4j.langchain4j;

import io.bge4j.core.BgeModel;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves a {@link BgeModel} test parameter to bge-small-en-v1.5, loaded once per test run and closed when the run
 * ends (the load is the costly part of the real-weight tests).
 */
final class BgeSmallEn implements ParameterResolver {

    private record Holder(BgeModel model) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            model.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.getParameter().getType() == BgeModel.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        return c.getRoot().getStore(ExtensionContext.Namespace.create(BgeSmallEn.class))
                .getOrComputeIfAbsent("bge-small-en-v1.5", k -> new Holder(BgeModel.load("bge-small-en-v1.5")), Holder.class)
                .model();
    }
}
