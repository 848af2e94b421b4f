set terminal pngcairo size 1000,420 noenhanced
set output '/work/main/bench/drills/slow.png'
set datafile separator ','
set key top right
set xlabel 'time (s)'
set ylabel 'acknowledged msgs/s'
set title 'drill slow'
set yrange [0:*]
set arrow 1 from 6.56525, graph 0 to 6.56525, graph 1 nohead lc rgb 'red' dt 2
set label 1 '+100 ms each way to b1:9092 (leader)' at 6.56525, graph 0.95 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 2 from 21.9372, graph 0 to 21.9372, graph 1 nohead lc rgb 'dark-green' dt 2
set label 2 'heal' at 21.9372, graph 0.89 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 3 from 27.1794, graph 0 to 27.1794, graph 1 nohead lc rgb 'red' dt 2
set label 3 '+100 ms each way to zk3:2181,2888 (ZooKeeper leader)' at 27.1794, graph 0.83 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 4 from 42.8122, graph 0 to 42.8122, graph 1 nohead lc rgb 'dark-green' dt 2
set label 4 'heal' at 42.8122, graph 0.77 left offset 0.3,0 font ',8' tc rgb 'dark-green'
plot '/work/main/bench/drills/slow.csv' every ::1 using ($1+0.5):2 with steps lw 2 title 'acked/s', '' every ::1 using ($1+0.5):3 with steps lw 1 title 'failed/s'
