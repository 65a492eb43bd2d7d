#!/bin/sh
# record.lackey: workloads/record/lackey-record on small real programs.
# Expectations (hand-worked from what the script promises, docs/recording.md section 1):
#   1. OUT is a valid zstd stream holding Lackey lines, and OUT.meta's "#records: ... total=N"
#      equals the number of "I  addr,size" / " L|S|M addr,size" lines in it (counted here by grep,
#      independently of the script's awk); a run of /bin/true has well over 1000 of them (the
#      dynamic loader alone).
#   2. The meta names the exact command and exit status 0; the program's exit status is passed
#      through (sh -c 'exit 3' makes lackey-record exit 3, and the meta says 3).
#   3. With -n (when bfsim is built): the native trace starts "#bfsim-trace 1", carries "#program:
#      /bin/true" and at least one "#map: host 0x... -> 0x... len 0x..." line, and has at least N
#      records (window cuts can only add records).
# Exit 77 (skipped) if valgrind or zstd is missing.
set -eu
lr="$1"
bfsim="${2:-}"
command -v valgrind >/dev/null 2>&1 || exit 77
command -v zstd >/dev/null 2>&1 || exit 77
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "record.lackey: $*" >&2; exit 1; }

if [ -n "$bfsim" ] && [ -x "$bfsim" ]; then
    BFSIM="$bfsim" "$lr" -e -n -l 1 -o "$tmp/t.lackey.zst" /bin/true
else
    "$lr" -e -l 1 -o "$tmp/t.lackey.zst" /bin/true
fi
zstd -q -t "$tmp/t.lackey.zst" || fail "not a zstd file"
lines=$(zstd -dc "$tmp/t.lackey.zst" | grep -cE '^(I | L| S| M) [0-9a-f]+,[0-9]+$')
total=$(sed -n 's/^#records: .*total=\([0-9]*\)$/\1/p' "$tmp/t.lackey.zst.meta")
[ "$lines" = "$total" ] || fail "meta total $total, file has $lines Lackey lines"
[ "$lines" -gt 1000 ] || fail "only $lines Lackey lines for /bin/true"
grep -qx '#command: /bin/true' "$tmp/t.lackey.zst.meta" || fail "no exact #command line"
grep -qx '#exit-status: 0' "$tmp/t.lackey.zst.meta" || fail "exit status not 0 in meta"

set +e
"$lr" -l 1 -o "$tmp/s.lackey.zst" sh -c 'exit 3'
rc=$?
set -e
[ "$rc" = 3 ] || fail "exit status $rc, want 3"
grep -qx '#exit-status: 3' "$tmp/s.lackey.zst.meta" || fail "meta exit status not 3"

if [ -n "$bfsim" ] && [ -x "$bfsim" ]; then
    n="$tmp/t.bft.zst"
    [ "$(zstd -dc "$n" | head -n1)" = "#bfsim-trace 1" ] || fail "native trace lacks its version line"
    zstd -dc "$n" | grep -qx '#program: /bin/true' || fail "native trace lacks #program"
    zstd -dc "$n" | grep -qE '^#map: host 0x[0-9a-f]+ -> 0x[0-9a-f]{8} len 0x[0-9a-f]+$' \
        || fail "native trace lacks #map lines"
    recs=$(zstd -dc "$n" | grep -vc '^#')
    [ "$recs" -ge "$total" ] || fail "native trace has $recs records, fewer than $total"
fi
echo "record.lackey: ok ($lines Lackey lines)"
