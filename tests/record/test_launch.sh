#!/bin/sh
# record.launch: workloads/suite/make-launch-workload on hand-made program sizes (--sizes-from),
# with parameters that make the model's output computable by hand (docs/recording.md section 5).
# One program P: text 1000, data 100, bss 50, stack 4096 (so data+bss+stack = 4246).
#   a) --stay 0 --life 1:1, 3 launches, flat: each process exits at the next step, before the
#      next launch, unmapping in reverse: mmap 1 1000, mmap 2 4246, munmap 2, munmap 1, mmap 3 1000,
#      mmap 4 4246, munmap 4, munmap 3, mmap 5 1000, mmap 6 4246 (the last one still running).
#   b) the same with --drain --layout split: four mappings per process (1000, 100, 50, 4096),
#      and the last process exits at the end.
#   c) --share-text --life 2:2 --drain, 3 launches: one text mapping (id 1) shared; launch 2 maps
#      only its data (3); at step 2 process 1 exits (munmap 2, text kept) and launch 3 maps 4;
#      the drain ends process 2 (munmap 3) and process 3 (munmap 4, then the text, munmap 1).
#   d) --stay 1: nothing is ever unmapped.
#   e) the same seed gives the same records twice; the records are valid (every munmap names a
#      live id) for a seeded run over two programs.
set -eu
gen="$1"
command -v python3 >/dev/null 2>&1 || exit 77
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "record.launch: $*" >&2; exit 1; }
cat >"$tmp/sizes" <<'S'
#elf: /bin/P text=1000 data=100 bss=50 stack=4096 elf_stack=0
S
recs() { grep -v '^#' "$1" | tr '\n' ' ' | sed 's/ $//'; }

python3 "$gen" --sizes-from "$tmp/sizes" --launches 3 --stay 0 --life 1:1 -o "$tmp/a"
[ "$(recs "$tmp/a")" = "phase launch mmap 1 1000 mmap 2 4246 munmap 2 munmap 1 mmap 3 1000 mmap 4 4246 munmap 4 munmap 3 mmap 5 1000 mmap 6 4246" ] \
    || fail "a: $(recs "$tmp/a")"
[ "$(head -n1 "$tmp/a")" = "#bfsim-alloc 1" ] || fail "a: first line"

python3 "$gen" --sizes-from "$tmp/sizes" --launches 2 --stay 0 --life 1:1 --drain --layout split -o "$tmp/b"
[ "$(recs "$tmp/b")" = "phase launch mmap 1 1000 mmap 2 100 mmap 3 50 mmap 4 4096 munmap 4 munmap 3 munmap 2 munmap 1 mmap 5 1000 mmap 6 100 mmap 7 50 mmap 8 4096 munmap 8 munmap 7 munmap 6 munmap 5" ] \
    || fail "b: $(recs "$tmp/b")"

python3 "$gen" --sizes-from "$tmp/sizes" --launches 3 --stay 0 --life 2:2 --share-text --drain -o "$tmp/c"
[ "$(recs "$tmp/c")" = "phase launch mmap 1 1000 mmap 2 4246 mmap 3 4246 munmap 2 mmap 4 4246 munmap 3 munmap 4 munmap 1" ] \
    || fail "c: $(recs "$tmp/c")"

python3 "$gen" --sizes-from "$tmp/sizes" --launches 5 --stay 1 -o "$tmp/d"
grep -q '^munmap' "$tmp/d" && fail "d: a resident process was unmapped"
[ "$(grep -c '^mmap' "$tmp/d")" = 10 ] || fail "d: want 10 mappings"

cat >>"$tmp/sizes" <<'S'
#elf: /bin/Q text=30000 data=2000 bss=9000 stack=131072 elf_stack=0
S
python3 "$gen" --sizes-from "$tmp/sizes" --seed 7 --launches 300 -o "$tmp/e1"
python3 "$gen" --sizes-from "$tmp/sizes" --seed 7 --launches 300 -o "$tmp/e2"
[ "$(recs "$tmp/e1")" = "$(recs "$tmp/e2")" ] || fail "e: same seed, different records"
awk '/^mmap/ { if ($2 in live) bad++; live[$2] = 1 }
     /^munmap/ { if (!($2 in live)) bad++; delete live[$2] }
     END { exit bad ? 1 : 0 }' "$tmp/e1" || fail "e: invalid mmap/munmap pairing"
grep -q '^mmap [0-9]* 30000$' "$tmp/e1" && grep -q '^mmap [0-9]* 1000$' "$tmp/e1" \
    || fail "e: both programs should be launched in 300 draws"
echo "record.launch: ok"
