set terminal pngcairo size 1000,420 noenhanced
set output '/work/main/bench/drills/random-seed42.png'
set datafile separator ','
set key top right
set xlabel 'time (s)'
set ylabel 'acknowledged msgs/s'
set title 'drill random-seed42'
set yrange [0:*]
set arrow 1 from 6.16025, graph 0 to 6.16025, graph 1 nohead lc rgb 'red' dt 2
set label 1 'cut b2->b1 one way' at 6.16025, graph 0.95 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 2 from 18.4978, graph 0 to 18.4978, graph 1 nohead lc rgb 'dark-green' dt 2
set label 2 'heal' at 18.4978, graph 0.89 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 3 from 25.6217, graph 0 to 25.6217, graph 1 nohead lc rgb 'red' dt 2
set label 3 'cut b2 from ZooKeeper' at 25.6217, graph 0.83 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 4 from 30.9528, graph 0 to 30.9528, graph 1 nohead lc rgb 'dark-green' dt 2
set label 4 'heal' at 30.9528, graph 0.77 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 5 from 43.9836, graph 0 to 43.9836, graph 1 nohead lc rgb 'red' dt 2
set label 5 '20% loss b2' at 43.9836, graph 0.71 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 6 from 49.147, graph 0 to 49.147, graph 1 nohead lc rgb 'dark-green' dt 2
set label 6 'heal' at 49.147, graph 0.65 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 7 from 62.1529, graph 0 to 62.1529, graph 1 nohead lc rgb 'red' dt 2
set label 7 'kill -9 b3' at 62.1529, graph 0.59 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 8 from 74.1595, graph 0 to 74.1595, graph 1 nohead lc rgb 'dark-green' dt 2
set label 8 'restart b3' at 74.1595, graph 0.53 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 9 from 80.1898, graph 0 to 80.1898, graph 1 nohead lc rgb 'red' dt 2
set label 9 'isolate b1' at 80.1898, graph 0.95 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 10 from 91.6145, graph 0 to 91.6145, graph 1 nohead lc rgb 'dark-green' dt 2
set label 10 'heal' at 91.6145, graph 0.89 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 11 from 99.6378, graph 0 to 99.6378, graph 1 nohead lc rgb 'red' dt 2
set label 11 'kill -9 b2' at 99.6378, graph 0.83 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 12 from 104.643, graph 0 to 104.643, graph 1 nohead lc rgb 'dark-green' dt 2
set label 12 'restart b2' at 104.643, graph 0.77 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 13 from 117.654, graph 0 to 117.654, graph 1 nohead lc rgb 'red' dt 2
set label 13 'kill -9 b1' at 117.654, graph 0.71 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 14 from 127.692, graph 0 to 127.692, graph 1 nohead lc rgb 'dark-green' dt 2
set label 14 'restart b1' at 127.692, graph 0.65 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 15 from 135.695, graph 0 to 135.695, graph 1 nohead lc rgb 'red' dt 2
set label 15 'kill -9 b3' at 135.695, graph 0.59 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 16 from 147.698, graph 0 to 147.698, graph 1 nohead lc rgb 'dark-green' dt 2
set label 16 'restart b3' at 147.698, graph 0.53 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 17 from 153.752, graph 0 to 153.752, graph 1 nohead lc rgb 'red' dt 2
set label 17 'isolate b2' at 153.752, graph 0.95 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 18 from 163.896, graph 0 to 163.896, graph 1 nohead lc rgb 'dark-green' dt 2
set label 18 'heal' at 163.896, graph 0.89 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 19 from 172.147, graph 0 to 172.147, graph 1 nohead lc rgb 'red' dt 2
set label 19 'cut b2 from ZooKeeper' at 172.147, graph 0.83 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 20 from 181.404, graph 0 to 181.404, graph 1 nohead lc rgb 'dark-green' dt 2
set label 20 'heal' at 181.404, graph 0.77 left offset 0.3,0 font ',8' tc rgb 'dark-green'
plot '/work/main/bench/drills/random-seed42.csv' every ::1 using ($1+0.5):2 with steps lw 2 title 'acked/s', '' every ::1 using ($1+0.5):3 with steps lw 1 title 'failed/s'
