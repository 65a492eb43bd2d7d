/* FIR filter over a heap-allocated signal: sequential streaming reads with a small reused
** coefficient array (the access pattern of a DSP inner loop). Deterministic: no time, no pid. */
#include <stdio.h>
#include <stdlib.h>

#define TAPS 64
#define N 3000

int main(void)
{
    short *x = malloc(sizeof(short) * (N + TAPS));
    int *y = malloc(sizeof(int) * N);
    short h[TAPS];
    if (!x || !y)
        return 1;
    for (int i = 0; i < TAPS; i++)
        h[i] = (short)((i * 37) % 101 - 50);
    unsigned s = 12345;
    for (int i = 0; i < N + TAPS; i++) {
        s = s * 1103515245u + 12345u;
        x[i] = (short)(s >> 17);
    }
    long long sum = 0;
    for (int n = 0; n < N; n++) {
        int acc = 0;
        for (int k = 0; k < TAPS; k++)
            acc += x[n + k] * h[k];
        y[n] = acc;
        sum += acc;
    }
    printf("%lld\n", sum);
    free(x);
    free(y);
    return 0;
}
