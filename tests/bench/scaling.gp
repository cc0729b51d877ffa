# Plots of docs/scaling.md from tests/bench/scaling_docs.sh's output.
# gnuplot -e "work='DIR'; out='PLOTDIR'" scaling.gp
set terminal pngcairo size 900,520 font ",11"
set grid
set key top left

set output out.'/scaling_measured.png'
set title "receval eval on this machine (2 shared cores, mpirun): medians of 3"
set xlabel "MPI ranks"; set ylabel "seconds"
set xrange [0.5:2.5]; set xtics 1; set yrange [0:*]
plot work.'/meas.dat' using ($1==0?$2:1/0):3 with linespoints lw 2 pt 7 lc 1 title "strong: CPU s, all ranks", \
     ''               using ($1==0?$2:1/0):4 with lines dt 2 lw 2 lc 1 title "strong: model CPU s", \
     ''               using ($1==1?$2:1/0):3 with linespoints lw 2 pt 5 lc 2 title "weak: CPU s, all ranks", \
     ''               using ($1==1?$2:1/0):4 with lines dt 2 lw 2 lc 2 title "weak: model CPU s", \
     ''               using ($1==0?$2:1/0):5 with linespoints pt 6 lc 3 title "strong: wall s (shared machine)", \
     ''               using ($1==0?$2:1/0):6 with lines dt 3 lc 3 title "strong: model wall s on dedicated cores", \
     ''               using ($1==1?$2:1/0):5 with linespoints pt 4 lc 4 title "weak: wall s (shared machine)", \
     ''               using ($1==1?$2:1/0):6 with lines dt 3 lc 4 title "weak: model wall s on dedicated cores"

set output out.'/scaling_projection.png'
set multiplot layout 1,2 title "Projected eval time, 64 ranks per node (model, not measured)"
set logscale xy; set xrange [1:1024]; set yrange [*:*]; set xtics 4
set format y "10^{%L}"
set xlabel "nodes"; set ylabel "seconds"
set key bottom left font ",9"
IT = "50000 1000000 10000000"   # dashed: scoring alone; gaps: does not fit in memory
set title "1M users"
plot for [j=1:3] work.'/proj_u1000000_i'.word(IT,j).'.dat' using 1:2 with linespoints lw 2 lc j title word(IT,j)." items", \
     for [j=1:3] work.'/proj_u1000000_i'.word(IT,j).'.dat' using 1:3 with lines dt 2 lc j notitle
set title "100M users"
plot for [j=1:3] work.'/proj_u100000000_i'.word(IT,j).'.dat' using 1:2 with linespoints lw 2 lc j title word(IT,j)." items", \
     for [j=1:3] work.'/proj_u100000000_i'.word(IT,j).'.dat' using 1:3 with lines dt 2 lc j notitle
unset multiplot
