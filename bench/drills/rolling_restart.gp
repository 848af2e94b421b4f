set terminal pngcairo size 1000,420 noenhanced
set output '/work/main/bench/drills/rolling_restart.png'
set datafile separator ','
set key top right
set xlabel 'time (s)'
set ylabel 'acknowledged msgs/s'
set title 'drill rolling_restart'
set yrange [0:*]
set arrow 1 from 6.00445, graph 0 to 6.00445, graph 1 nohead lc rgb 'red' dt 2
set label 1 'SIGTERM b1' at 6.00445, graph 0.95 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 2 from 7.34872, graph 0 to 7.34872, graph 1 nohead lc rgb 'dark-green' dt 2
set label 2 'b1 back, ISR full' at 7.34872, graph 0.89 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 3 from 9.34882, graph 0 to 9.34882, graph 1 nohead lc rgb 'red' dt 2
set label 3 'SIGTERM b2' at 9.34882, graph 0.83 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 4 from 15.3743, graph 0 to 15.3743, graph 1 nohead lc rgb 'dark-green' dt 2
set label 4 'b2 back, ISR full' at 15.3743, graph 0.77 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 5 from 17.3744, graph 0 to 17.3744, graph 1 nohead lc rgb 'red' dt 2
set label 5 'SIGTERM b3' at 17.3744, graph 0.71 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 6 from 20.6936, graph 0 to 20.6936, graph 1 nohead lc rgb 'dark-green' dt 2
set label 6 'b3 back, ISR full' at 20.6936, graph 0.65 left offset 0.3,0 font ',8' tc rgb 'dark-green'
plot '/work/main/bench/drills/rolling_restart.csv' every ::1 using ($1+0.5):2 with steps lw 2 title 'acked/s', '' every ::1 using ($1+0.5):3 with steps lw 1 title 'failed/s'
