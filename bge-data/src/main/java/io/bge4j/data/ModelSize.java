package io.bge4j.data;

/**
 * BGE model sizes, as a data-driven recommendation talks about them.
 *
 * <p>Usage: {@code if (rec.recommended() == ModelSize.LARGE) base = BgeModel.load(largeDir);}
 */
public enum ModelSize {
    /** bge-small (33M parameters, 384 dimensions). */
    SMALL("bge-small-en-v1.5"),
    /** bge-base (110M parameters, 768 dimensions). */
    BASE("bge-base-en-v1.5"),
    /** bge-large (335M parameters, 1024 dimensions). */
    LARGE("bge-large-en-v1.5");

    private final String englishModel;

    ModelSize(String englishModel) {
        this.englishModel = englishModel;
    }

    /** @return the English BGE v1.5 model of this size, e.g. {@code bge-base-en-v1.5} */
    public String englishModel() {
        return englishModel;
    }
}
