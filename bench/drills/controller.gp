set terminal pngcairo size 1000,420 noenhanced
set output '/work/main/bench/drills/controller.png'
set datafile separator ','
set key top right
set xlabel 'time (s)'
set ylabel 'acknowledged msgs/s'
set title 'drill controller'
set yrange [0:*]
set arrow 1 from 6.04239, graph 0 to 6.04239, graph 1 nohead lc rgb 'red' dt 2
set label 1 'isolate b2 (controller)' at 6.04239, graph 0.95 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 2 from 21.3199, graph 0 to 21.3199, graph 1 nohead lc rgb 'dark-green' dt 2
set label 2 'heal' at 21.3199, graph 0.89 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 3 from 25.3268, graph 0 to 25.3268, graph 1 nohead lc rgb 'red' dt 2
set label 3 'SIGSTOP b3 (controller)' at 25.3268, graph 0.83 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 4 from 35.3289, graph 0 to 35.3289, graph 1 nohead lc rgb 'dark-green' dt 2
set label 4 'SIGCONT b3' at 35.3289, graph 0.77 left offset 0.3,0 font ',8' tc rgb 'dark-green'
plot '/work/main/bench/drills/controller.csv' every ::1 using ($1+0.5):2 with steps lw 2 title 'acked/s', '' every ::1 using ($1+0.5):3 with steps lw 1 title 'failed/s'
