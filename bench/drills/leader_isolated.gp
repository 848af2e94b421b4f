set terminal pngcairo size 1000,420 noenhanced
set output '/work/main/bench/drills/leader_isolated.png'
set datafile separator ','
set key top right
set xlabel 'time (s)'
set ylabel 'acknowledged msgs/s'
set title 'drill leader_isolated'
set yrange [0:*]
set arrow 1 from 6.03506, graph 0 to 6.03506, graph 1 nohead lc rgb 'red' dt 2
set label 1 'isolate b1 (leader)' at 6.03506, graph 0.95 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 2 from 21.3555, graph 0 to 21.3555, graph 1 nohead lc rgb 'dark-green' dt 2
set label 2 'heal' at 21.3555, graph 0.89 left offset 0.3,0 font ',8' tc rgb 'dark-green'
plot '/work/main/bench/drills/leader_isolated.csv' every ::1 using ($1+0.5):2 with steps lw 2 title 'acked/s', '' every ::1 using ($1+0.5):3 with steps lw 1 title 'failed/s'
