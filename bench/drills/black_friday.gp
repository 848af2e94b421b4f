set terminal pngcairo size 1000,420 noenhanced
set output '/work/main/bench/drills/black_friday.png'
set datafile separator ','
set key top right
set xlabel 'time (s)'
set ylabel 'acknowledged msgs/s'
set title 'drill black_friday'
set yrange [0:*]
set arrow 1 from 6.01331, graph 0 to 6.01331, graph 1 nohead lc rgb 'red' dt 2
set label 1 'kill -9 b1' at 6.01331, graph 0.95 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 2 from 26.0197, graph 0 to 26.0197, graph 1 nohead lc rgb 'dark-green' dt 2
set label 2 'restart b1' at 26.0197, graph 0.89 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 3 from 30.3295, graph 0 to 30.3295, graph 1 nohead lc rgb 'dark-green' dt 2
set label 3 'b1 back in every ISR' at 30.3295, graph 0.83 left offset 0.3,0 font ',8' tc rgb 'dark-green'
plot '/work/main/bench/drills/black_friday.csv' every ::1 using ($1+0.5):2 with steps lw 2 title 'acked/s', '' every ::1 using ($1+0.5):3 with steps lw 1 title 'failed/s'
