# SPDX-License-Identifier: GPL-2.0
# gnuplot -e "dir='build/bench'" bench/plot.gp: the contention figures of
# bench/report.py's contention-SMP.dat files as latency.png and
# throughput.png. Columns: procs, then median p10 p90 of per-pair ns for
# waitgroup, futex-wg, semop, then of pairs/s for the same three.
set terminal pngcairo size 900,560 noenhanced font ",10"
set grid
set key outside right top
set xrange [0.8:4.4]
set xtics (1, 2, 4)
set logscale y
set xlabel "processes doing add+done on one group"
d2 = dir."/contention-2.dat"
d4 = dir."/contention-4.dat"

set output dir."/latency.png"
set title "add+done: time per pair in each process (QEMU TCG; median, p10-p90)"
set ylabel "ns per pair (log)"
plot d2 u 1:2:3:4 w yerrorlines lw 2 lc 1 pt 7 t "waitgroup, 2 vCPUs", \
     d4 u 1:2:3:4 w yerrorlines lw 2 lc 1 dt 2 pt 5 t "waitgroup, 4 vCPUs", \
     d2 u 1:5:6:7 w yerrorlines lw 2 lc 2 pt 7 t "futex waitgroup, 2 vCPUs", \
     d4 u 1:5:6:7 w yerrorlines lw 2 lc 2 dt 2 pt 5 t "futex waitgroup, 4 vCPUs", \
     d2 u 1:8:9:10 w yerrorlines lw 2 lc 3 pt 7 t "semop, 2 vCPUs", \
     d4 u 1:8:9:10 w yerrorlines lw 2 lc 3 dt 2 pt 5 t "semop, 4 vCPUs"

set output dir."/throughput.png"
set title "add+done: pairs per second, all processes (QEMU TCG; median, p10-p90)"
set ylabel "pairs/s (log)"
plot d2 u 1:11:12:13 w yerrorlines lw 2 lc 1 pt 7 t "waitgroup, 2 vCPUs", \
     d4 u 1:11:12:13 w yerrorlines lw 2 lc 1 dt 2 pt 5 t "waitgroup, 4 vCPUs", \
     d2 u 1:14:15:16 w yerrorlines lw 2 lc 2 pt 7 t "futex waitgroup, 2 vCPUs", \
     d4 u 1:14:15:16 w yerrorlines lw 2 lc 2 dt 2 pt 5 t "futex waitgroup, 4 vCPUs", \
     d2 u 1:17:18:19 w yerrorlines lw 2 lc 3 pt 7 t "semop, 2 vCPUs", \
     d4 u 1:17:18:19 w yerrorlines lw 2 lc 3 dt 2 pt 5 t "semop, 4 vCPUs"
