/*
 * A glibc program that uses floating point the ordinary way: doubles and floats in loops,
 * printf of %f/%g/%a (glibc's exact binary-to-decimal conversion), libm, rounding modes
 * through fesetround, exception flags through fetestexcept, strtod. GlibcFloatTest builds it
 * with riscv64-linux-gnu-gcc's defaults (RV64GC, the lp64d ABI) and compares hartlab's output
 * with qemu-riscv64's.
 */
#include <stdio.h>
#include <math.h>
#include <fenv.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 200000;
    double s = 0, t = 1;
    float sf = 0;
    for (int i = 1; i <= n; i++) {
        s += 1.0 / ((double)i * i);
        t *= 1.0000001;
        sf += 1.0f / (float)i;
    }
    printf("basel %.15f (pi^2/6 %.15f)\n", s, M_PI * M_PI / 6);
    printf("t %.17g sf %.9g\n", t, (double)sf);
    printf("sqrt2 %.17g exp1 %.17g log10 %.17g sin1 %.17g pow %.17g\n",
           sqrt(2.0), exp(1.0), log(10.0), sin(1.0), pow(2.5, 3.7));
    printf("float: %a %a %g\n", sqrtf(3.0f), expf(0.5f), (double)atan2f(1.0f, 3.0f));
    int modes[] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};
    volatile double one = 1.0, three = 3.0;
    for (int k = 0; k < 4; k++) {
        fesetround(modes[k]);
        double q = one / three;
        printf("mode %d: 1/3 = %a, rint(2.5) = %g, lrint(-2.5) = %ld\n", k, q, rint(2.5), lrint(-2.5));
    }
    fesetround(FE_TONEAREST);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double z = 0.0;
    double inf = one / z;
    printf("1/0 = %g, DZ raised: %d, strtod: %.17g\n", inf, fetestexcept(FE_DIVBYZERO) != 0, strtod("2.718281828459045235", 0));
    return 0;
}
