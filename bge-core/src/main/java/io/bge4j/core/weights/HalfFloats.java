package io.bge4j.core.weights;

/** Conversions between IEEE half (F16), bfloat16 (BF16) and float32; Java 17 has none built in. */
final class HalfFloats {
    private HalfFloats() {}

    /** @return the float32 value of an IEEE 754 binary16 bit pattern (exact) */
    static float f16ToF32(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) { // Inf / NaN
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal: value = mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** @return the float32 value of a bfloat16 bit pattern (exact) */
    static float bf16ToF32(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }
}
