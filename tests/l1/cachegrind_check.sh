#!/bin/sh
# cachegrind_check.sh REPLAY WORKLOAD WORKDIR
#
# Oracle test of models/l1 against Valgrind's Cachegrind: run WORKLOAD under Lackey and under
# Cachegrind in identical conditions (empty environment, ASLR off with setarch -R, stdout to
# /dev/null in both: a pipe instead of /dev/null changes stdio's code path and the counts), replay
# the Lackey trace through the model (REPLAY = lackey_replay) and require every count Cachegrind
# prints for I1 and D1 to be equal: I refs, I1 misses, D reads, D writes, D1 read misses, D1
# write misses. Exit 77 (CTest skip) when valgrind or setarch -R is unavailable.
set -u
replay=$1
prog=$2
work=$3
vg=$(command -v valgrind) || { echo "valgrind not found: skipped"; exit 77; }
sa=$(command -v setarch) || { echo "setarch not found: skipped"; exit 77; }
"$sa" -R true 2>/dev/null || { echo "setarch -R not permitted: skipped"; exit 77; }
mkdir -p "$work" || exit 1
name=$(basename "$prog")
lk="$work/$name.lackey"
cg="$work/$name.cachegrind"
env -i "$sa" -R "$vg" --tool=lackey --trace-mem=yes --log-file="$lk" "$prog" >/dev/null || exit 1
env -i "$sa" -R "$vg" --tool=cachegrind --cache-sim=yes --I1=16384,4,32 --D1=16384,2,32 \
    --LL=1048576,8,64 --cachegrind-out-file=/dev/null --log-file="$cg" "$prog" >/dev/null || exit 1
# "==pid== I   refs:  1,234" / "==pid== D   refs:  9 (5 rd + 4 wr)" -> name value lines
sed -e 's/^==[0-9]*== *//' -e 's/,//g' "$cg" | awk '
    $1 == "I"  && $2 == "refs:"   { print "I_refs", $3 }
    $1 == "I1" && $2 == "misses:" { print "I1_misses", $3 }
    $1 == "D"  && $2 == "refs:"   { gsub(/\(/, ""); print "D_rd", $4; print "D_wr", $7 }
    $1 == "D1" && $2 == "misses:" { gsub(/\(/, ""); print "D1_rd_misses", $4; print "D1_wr_misses", $7 }
' >"$work/$name.expected"
"$replay" "$lk" >"$work/$name.actual" || exit 1
echo "Cachegrind:"
cat "$work/$name.expected"
echo "bfsim L1 model:"
cat "$work/$name.actual"
[ "$(wc -l <"$work/$name.expected")" -eq 6 ] || { echo "could not read Cachegrind's summary"; exit 1; }
diff "$work/$name.expected" "$work/$name.actual" >/dev/null || { echo "MISMATCH"; exit 1; }
echo "equal"
rm -f "$lk"
