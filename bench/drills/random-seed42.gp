set terminal pngcairo size 1000,420 noenhanced
set output '/work/main/bench/drills/random-seed42.png'
set datafile separator ','
set key top right
set xlabel 'time (s)'
set ylabel 'acknowledged msgs/s'
set title 'drill random-seed42'
set yrange [0:*]
set arrow 1 from 6.05706, graph 0 to 6.05706, graph 1 nohead lc rgb 'red' dt 2
set label 1 'cut b2->b1 one way' at 6.05706, graph 0.95 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 2 from 17.4163, graph 0 to 17.4163, graph 1 nohead lc rgb 'dark-green' dt 2
set label 2 'heal' at 17.4163, graph 0.89 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 3 from 24.5354, graph 0 to 24.5354, graph 1 nohead lc rgb 'red' dt 2
set label 3 'cut b2 from ZooKeeper' at 24.5354, graph 0.83 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 4 from 29.8356, graph 0 to 29.8356, graph 1 nohead lc rgb 'dark-green' dt 2
set label 4 'heal' at 29.8356, graph 0.77 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 5 from 42.8792, graph 0 to 42.8792, graph 1 nohead lc rgb 'red' dt 2
set label 5 '20% loss b2' at 42.8792, graph 0.71 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 6 from 48.0696, graph 0 to 48.0696, graph 1 nohead lc rgb 'dark-green' dt 2
set label 6 'heal' at 48.0696, graph 0.65 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 7 from 61.0737, graph 0 to 61.0737, graph 1 nohead lc rgb 'red' dt 2
set label 7 'kill -9 b3' at 61.0737, graph 0.59 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 8 from 73.0805, graph 0 to 73.0805, graph 1 nohead lc rgb 'dark-green' dt 2
set label 8 'restart b3' at 73.0805, graph 0.53 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 9 from 79.1065, graph 0 to 79.1065, graph 1 nohead lc rgb 'red' dt 2
set label 9 'isolate b1' at 79.1065, graph 0.95 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 10 from 89.3775, graph 0 to 89.3775, graph 1 nohead lc rgb 'dark-green' dt 2
set label 10 'heal' at 89.3775, graph 0.89 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 11 from 97.3807, graph 0 to 97.3807, graph 1 nohead lc rgb 'red' dt 2
set label 11 'kill -9 b2' at 97.3807, graph 0.83 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 12 from 102.389, graph 0 to 102.389, graph 1 nohead lc rgb 'dark-green' dt 2
set label 12 'restart b2' at 102.389, graph 0.77 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 13 from 115.395, graph 0 to 115.395, graph 1 nohead lc rgb 'red' dt 2
set label 13 'kill -9 b1' at 115.395, graph 0.71 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 14 from 125.4, graph 0 to 125.4, graph 1 nohead lc rgb 'dark-green' dt 2
set label 14 'restart b1' at 125.4, graph 0.65 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 15 from 133.405, graph 0 to 133.405, graph 1 nohead lc rgb 'red' dt 2
set label 15 'kill -9 b3' at 133.405, graph 0.59 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 16 from 145.414, graph 0 to 145.414, graph 1 nohead lc rgb 'dark-green' dt 2
set label 16 'restart b3' at 145.414, graph 0.53 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 17 from 151.457, graph 0 to 151.457, graph 1 nohead lc rgb 'red' dt 2
set label 17 'isolate b2' at 151.457, graph 0.95 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 18 from 161.79, graph 0 to 161.79, graph 1 nohead lc rgb 'dark-green' dt 2
set label 18 'heal' at 161.79, graph 0.89 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 19 from 169.955, graph 0 to 169.955, graph 1 nohead lc rgb 'red' dt 2
set label 19 'cut b2 from ZooKeeper' at 169.955, graph 0.83 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 20 from 179.312, graph 0 to 179.312, graph 1 nohead lc rgb 'dark-green' dt 2
set label 20 'heal' at 179.312, graph 0.77 left offset 0.3,0 font ',8' tc rgb 'dark-green'
plot '/work/main/bench/drills/random-seed42.csv' every ::1 using ($1+0.5):2 with steps lw 2 title 'acked/s', '' every ::1 using ($1+0.5):3 with steps lw 1 title 'failed/s'
