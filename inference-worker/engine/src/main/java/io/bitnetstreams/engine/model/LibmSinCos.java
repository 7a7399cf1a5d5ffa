package io.bitnetstreams.engine.model;

/**
 * {@code sinf} and {@code cosf} with the bits of glibc's x86-64 libm on CPUs with FMA (the variant
 * the reference runtime calls for its RoPE angles), in pure Java. Java's {@link Math#sin} rounded to
 * float is the correctly rounded value; glibc's single-precision routines are not correctly rounded
 * (worst case 0.56 ulp) and differ from it on about 1% of RoPE angles, which on a random-weight model
 * is enough to part from the reference after a few tokens.
 *
 * <p>The algorithm is the one glibc has used since 2.28 (from Arm's optimized-routines, BSD/MIT
 * licensed): for |y| &lt; pi/4 an even/odd polynomial in double; up to 120 a one-step reduction by
 * pi/2 with a 2^24-scaled integer quadrant; above that an exact 2.62 fixed-point reduction with 192
 * bits of 2/pi. glibc's FMA build lets GCC fuse every {@code a + b * c} whose product has no other
 * use; the {@link Math#fma} calls below are exactly those. A test compares every RoPE angle of a
 * 4096-token context with C's values when a C compiler is present.
 */
final class LibmSinCos {

    /** 2/pi * 2^24 (the quadrant ends up in bits 24..31 of the int conversion). */
    private static final double HPI_INV_SCALED = 0x1.45F306DC9C883p+23;
    private static final double HPI = 0x1.921FB54442D18p0;
    /** 2 pi * 2^-64. */
    private static final double PI63 = 0x1.921FB54442D18p-62;
    private static final double[] SIGN = {1.0, -1.0, -1.0, 1.0};
    // cosine polynomial c0..c4 and sine polynomial s1..s3 (the second table negates the cosine)
    private static final double C0 = 0x1p0;
    private static final double C1 = -0x1.ffffffd0c621cp-2;
    private static final double C2 = 0x1.55553e1068f19p-5;
    private static final double C3 = -0x1.6c087e89a359dp-10;
    private static final double C4 = 0x1.99343027bf8c3p-16;
    private static final double S1 = -0x1.555545995a603p-3;
    private static final double S2 = 0x1.1107605230bc4p-7;
    private static final double S3 = -0x1.994eb3774cf24p-13;
    /** 2/pi to 192 bits, as 24 bytes; entry i of {@link #INV_PIO4} is the 32-bit window ending at byte i. */
    private static final String TWO_OVER_PI_HEX = "a2f9836e4e441529fc2757d1f534ddc0db6295993c439041";
    private static final int[] INV_PIO4 = windows();

    private static final int ABSTOP_PIO4 = abstop12((float) 0x1.921FB54442D18p-1);
    private static final int ABSTOP_TINY = abstop12(0x1p-12f);
    private static final int ABSTOP_120 = abstop12(120.0f);
    private static final int ABSTOP_INF = abstop12(Float.POSITIVE_INFINITY);

    private LibmSinCos() {
    }

    static float sinf(float y) {
        double x = y;
        int top = abstop12(y);
        if (top < ABSTOP_PIO4) {
            if (top < ABSTOP_TINY) {
                return y;
            }
            return poly(x, x * x, false, 0);
        }
        if (top < ABSTOP_120) {
            int n = quadrantFast(x);
            double r = Math.fma(-(double) n, HPI, x);
            return poly(r * SIGN[n & 3], r * r, (n & 2) != 0, n);
        }
        if (top < ABSTOP_INF) {
            int bits = Float.floatToRawIntBits(y);
            int sign = bits >>> 31;
            long[] nOut = new long[1];
            double r = reduceLarge(bits, nOut);
            int n = (int) nOut[0];
            return poly(r * SIGN[(n + sign) & 3], r * r, ((n + sign) & 2) != 0, n);
        }
        return Float.NaN;
    }

    static float cosf(float y) {
        double x = y;
        int top = abstop12(y);
        if (top < ABSTOP_PIO4) {
            if (top < ABSTOP_TINY) {
                return 1.0f;
            }
            return poly(x, x * x, false, 1);
        }
        if (top < ABSTOP_120) {
            int n = quadrantFast(x);
            double r = Math.fma(-(double) n, HPI, x);
            return poly(r * SIGN[n & 3], r * r, (n & 2) != 0, n ^ 1);
        }
        if (top < ABSTOP_INF) {
            int bits = Float.floatToRawIntBits(y);
            int sign = bits >>> 31;
            long[] nOut = new long[1];
            double r = reduceLarge(bits, nOut);
            int n = (int) nOut[0];
            return poly(r * SIGN[(n + sign) & 3], r * r, ((n + sign) & 2) != 0, n ^ 1);
        }
        return Float.NaN;
    }

    /** The sine polynomial for even n, the cosine one (negated when {@code negateCos}) for odd n. */
    private static float poly(double x, double x2, boolean negateCos, int n) {
        if ((n & 1) == 0) {
            double x3 = x * x2;
            double s1 = Math.fma(x2, S3, S2);
            double x7 = x3 * x2;
            double s = Math.fma(x3, S1, x);
            return (float) Math.fma(x7, s1, s);
        }
        double sign = negateCos ? -1.0 : 1.0;
        double x4 = x2 * x2;
        double c2 = Math.fma(x2, sign * C4, sign * C3);
        double c1 = Math.fma(x2, sign * C1, sign * C0);
        double x6 = x4 * x2;
        double c = Math.fma(x4, sign * C2, c1);
        return (float) Math.fma(x6, c2, c);
    }

    /** glibc's reduce_fast quadrant: the scaled product truncated to int, rounded by adding 2^23. */
    private static int quadrantFast(double x) {
        double r = x * HPI_INV_SCALED;
        return ((int) r + 0x800000) >> 24;
    }

    /** glibc's reduce_large: |x| &gt;= 2 as raw float bits; returns the remainder, the quadrant in {@code n[0]}. */
    private static double reduceLarge(int xi, long[] n) {
        int index = (xi >>> 26) & 15;
        int shift = (xi >>> 23) & 7;
        long m = ((xi & 0xffffff) | 0x800000) & 0xffffffffL;
        m = (m << shift) & 0xffffffffL;
        long res0 = (m * (INV_PIO4[index] & 0xffffffffL)) & 0xffffffffL;
        long res1 = m * (INV_PIO4[index + 4] & 0xffffffffL);
        long res2 = m * (INV_PIO4[index + 8] & 0xffffffffL);
        res0 = (res2 >>> 32) | (res0 << 32);
        res0 += res1;
        long q = (res0 + (1L << 61)) >>> 62;
        res0 -= q << 62;
        n[0] = q;
        return (double) res0 * PI63;
    }

    private static int abstop12(float x) {
        return (Float.floatToRawIntBits(x) >>> 20) & 0x7ff;
    }

    private static int[] windows() {
        int bytes = TWO_OVER_PI_HEX.length() / 2;
        int[] table = new int[bytes];
        long window = 0;
        for (int i = 0; i < bytes; i++) {
            window = (window << 8) | Integer.parseInt(TWO_OVER_PI_HEX.substring(2 * i, 2 * i + 2), 16);
            table[i] = (int) window;
        }
        return table;
    }
}
