# word frequencies, most frequent first by a simple insertion into an array (Lackey workload)
{ for (i = 1; i <= NF; i++) n[$i]++ }
END { for (w in n) if (n[w] > 20) print n[w], w }
