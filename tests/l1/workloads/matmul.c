/* Cachegrind oracle workload 3: a 64x64 double matrix multiply in static arrays with the naive
** i-j-k order (row-wise reads of A, column-wise 512-byte strides through B: set conflicts in a
** 2-way 16 KB cache). Prints a checksum. */
#include <stdio.h>

enum { N = 64 };
static double a[N][N], b[N][N], c[N][N];

int main(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (double)(i + j);
            b[i][j] = (double)(i - j);
        }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < N; k++)
                s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
    double t = 0;
    for (int i = 0; i < N; i++)
        t += c[i][i];
    printf("%f\n", t);
    return 0;
}
