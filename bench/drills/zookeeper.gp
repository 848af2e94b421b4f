set terminal pngcairo size 1000,420 noenhanced
set output '/work/main/bench/drills/zookeeper.png'
set datafile separator ','
set key top right
set xlabel 'time (s)'
set ylabel 'acknowledged msgs/s'
set title 'drill zookeeper'
set yrange [0:*]
set arrow 1 from 6.06851, graph 0 to 6.06851, graph 1 nohead lc rgb 'red' dt 2
set label 1 'isolate zk1 (follower)' at 6.06851, graph 0.95 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 2 from 14.3185, graph 0 to 14.3185, graph 1 nohead lc rgb 'dark-green' dt 2
set label 2 'heal' at 14.3185, graph 0.89 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 3 from 14.876, graph 0 to 14.876, graph 1 nohead lc rgb 'red' dt 2
set label 3 'isolate zk3 (ZooKeeper leader)' at 14.876, graph 0.83 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 4 from 25.2124, graph 0 to 25.2124, graph 1 nohead lc rgb 'dark-green' dt 2
set label 4 'heal' at 25.2124, graph 0.77 left offset 0.3,0 font ',8' tc rgb 'dark-green'
set arrow 5 from 30.8156, graph 0 to 30.8156, graph 1 nohead lc rgb 'red' dt 2
set label 5 'isolate zk3+zk1 (quorum lost)' at 30.8156, graph 0.71 left offset 0.3,0 font ',8' tc rgb 'red'
set arrow 6 from 51.1353, graph 0 to 51.1353, graph 1 nohead lc rgb 'dark-green' dt 2
set label 6 'heal' at 51.1353, graph 0.65 left offset 0.3,0 font ',8' tc rgb 'dark-green'
plot '/work/main/bench/drills/zookeeper.csv' every ::1 using ($1+0.5):2 with steps lw 2 title 'acked/s', '' every ::1 using ($1+0.5):3 with steps lw 1 title 'failed/s'
