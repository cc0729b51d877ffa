# Plots of docs/scaling.md from tests/bench/scaling_docs.sh's output.
# gnuplot -e "work='DIR'; out='PLOTDIR'" scaling.gp
set terminal pngcairo size 900,520 font ",11"
set grid
set key top left

set output out.'/scaling_measured.png'
set title "receval eval on this machine (2 cores, mpirun): medians of 3"
set xlabel "MPI ranks"; set ylabel "seconds"
set xrange [0.5:2.5]; set xtics 1; set yrange [0:*]
plot work.'/meas.dat' using ($1==0?$2:1/0):3 with linespoints lw 2 pt 7 title "strong: score phase", \
     ''               using ($1==0?$2:1/0):4 with lines dt 2 lw 2 title "strong: model (1-rank fit)", \
     ''               using ($1==1?$2:1/0):3 with linespoints lw 2 pt 5 title "weak: score phase", \
     ''               using ($1==1?$2:1/0):4 with lines dt 3 lw 2 title "weak: model", \
     ''               using ($1==0?$2:1/0):6 with linespoints pt 6 title "strong: wall incl. MPI start", \
     ''               using ($1==1?$2:1/0):6 with linespoints pt 4 title "weak: wall incl. MPI start"

set output out.'/scaling_projection.png'
set multiplot layout 1,2 title "Projected eval time, 64 ranks per node (model, not measured)"
set logscale xy; set xrange [1:1024]; set yrange [*:*]; set xtics 4
set format y "10^{%L}"
set xlabel "nodes"; set ylabel "seconds"
set key bottom left font ",9"
set title "1M users"
plot for [I in "50000 1000000 10000000"] work.'/proj_u1000000_i'.I.'.dat' using 1:2 with linespoints lw 2 title I." items", \
     for [I in "50000 1000000 10000000"] work.'/proj_u1000000_i'.I.'.dat' using 1:3 with lines dt 2 notitle
set title "100M users"
plot for [I in "50000 1000000 10000000"] work.'/proj_u100000000_i'.I.'.dat' using 1:2 with linespoints lw 2 title I." items", \
     for [I in "50000 1000000 10000000"] work.'/proj_u100000000_i'.I.'.dat' using 1:3 with lines dt 2 notitle
unset multiplot
