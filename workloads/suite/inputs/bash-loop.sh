# bash workload for the allocation recorder: arrays, string building, word splitting.
declare -A count
s=""
for i in $(seq 1 3000); do
    w="w$((i * 7919 % 500))"
    count[$w]=$(( ${count[$w]:-0} + 1 ))
    s="$s $w"
done
set -- $s
echo "$# words, ${#count[@]} distinct"
