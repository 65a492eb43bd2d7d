/* Cachegrind oracle workload 1: a 32-tap FIR filter over heap arrays (streaming reads of x, a
** small hot coefficient table, sequential stores to y). Deterministic; prints a checksum. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    enum { N = 4000, TAPS = 32 };
    float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y), h[TAPS];
    if (!x || !y)
        return 1;
    for (int i = 0; i < TAPS; i++)
        h[i] = 1.0f / (float)(i + 1);
    for (int i = 0; i < N; i++)
        x[i] = (float)(i % 17);
    for (int i = TAPS; i < N; i++) {
        float s = 0;
        for (int k = 0; k < TAPS; k++)
            s += h[k] * x[i - k];
        y[i] = s;
    }
    double t = 0;
    for (int i = TAPS; i < N; i++)
        t += y[i];
    printf("%f\n", t);
    free(x);
    free(y);
    return 0;
}
