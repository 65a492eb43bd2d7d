/* Naive matrix multiply C = A x B with B walked by columns: strided accesses that conflict in a
** 2-way cache (row length 48 doubles = 384 bytes). */
#include <stdio.h>

#define M 48

static double A[M][M], B[M][M], C[M][M];

int main(void)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            A[i][j] = (double)((i * 7 + j * 3) % 17);
            B[i][j] = (double)((i * 5 + j * 11) % 13);
        }
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            double s = 0;
            for (int k = 0; k < M; k++)
                s += A[i][k] * B[k][j];
            C[i][j] = s;
        }
    double t = 0;
    for (int i = 0; i < M; i++)
        t += C[i][(i * 13) % M];
    printf("%.1f\n", t);
    return 0;
}
