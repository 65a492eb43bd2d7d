#!/bin/sh
# Expectation: `test_systemc dma Q` prints "CORE_END DMA_END". With the EBIU in ORDER_SYNC both
# initiators reach the EBIU in global time order for any quantum, so quantum 0 (sync after every
# access) and quantum 100000 CCLK (far longer than the whole run) print the same two numbers.
# (With ORDER_PASS they differ by up to 3x: docs/systemc.md section 5.)
set -e
a=$("$1" dma 0)
b=$("$1" dma 100000)
echo "quantum 0: $a; quantum 100000: $b"
[ -n "$a" ] && [ "$a" = "$b" ]
