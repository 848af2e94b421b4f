set terminal pngcairo size 1000,420 noenhanced
set output '/work/main/bench/drills/rolling_restart.png'
set datafile separator ','
set key top right
set xlabel 'time (s)'
set ylabel 'acknowledged msgs/s'
set title 'drill rolling_restart'
set yrange [0:*]
set arrow 1 from 6.00625, graph 0 to 6.00625, graph 1 nohead lc rgb 'red' dt 2
set label 1 'SIGTERM b1' at 6.00625, graph 0.95 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 2 from 10.2186, graph 0 to 10.2186, graph 1 nohead lc rgb 'dark-green' dt 2
set label 2 'b1 back, ISR full' at 10.2186, graph 0.89 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 3 from 12.2227, graph 0 to 12.2227, graph 1 nohead lc rgb 'red' dt 2
set label 3 'SIGTERM b2' at 12.2227, graph 0.83 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 4 from 17.6211, graph 0 to 17.6211, graph 1 nohead lc rgb 'dark-green' dt 2
set label 4 'b2 back, ISR full' at 17.6211, graph 0.77 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 5 from 19.6212, graph 0 to 19.6212, graph 1 nohead lc rgb 'red' dt 2
set label 5 'SIGTERM b3' at 19.6212, graph 0.71 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 6 from 19.967, graph 0 to 19.967, graph 1 nohead lc rgb 'dark-green' dt 2
set label 6 'b3 back, ISR full' at 19.967, graph 0.65 left offset 0.3,0 font ',8' tc rgb 'dark-green'
plot '/work/main/bench/drills/rolling_restart.csv' every ::1 using ($1+0.5):2 with steps lw 2 title 'acked/s', '' every ::1 using ($1+0.5):3 with steps lw 1 title 'failed/s'
