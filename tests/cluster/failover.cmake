# Availability drills (issue 3, label `cluster`): 3 ZooKeeper + 3 sluiced, a librdkafka producer at
# 10,000 msgs/s, kill -9 / SIGTERM of a broker under load, full read-back. Included from
# tests/cluster/CMakeLists.txt; include_guard keeps it single. bench/failover/run.sh runs the same
# binary (Release, longer) for bench/failover/RESULTS.md.
include_guard(GLOBAL)
if(NOT TARGET sluice_test_support)
  return()
endif()
add_executable(sluice_failover_tests
  ${CMAKE_CURRENT_LIST_DIR}/failover_drill.cc
  ${CMAKE_CURRENT_LIST_DIR}/failover_test.cc)
target_compile_definitions(sluice_failover_tests PRIVATE
  SLUICED_PATH="$<$<TARGET_EXISTS:sluiced>:$<TARGET_FILE:sluiced>>")
# librdkafka (Debian librdkafka-dev) comes PUBLIC through sluice::test_support.
target_link_libraries(sluice_failover_tests PRIVATE sluice::test_support sluice::coordinator
                      GTest::gtest_main sluice::warnings)
if(TARGET sluiced)
  add_dependencies(sluice_failover_tests sluiced)
endif()
gtest_discover_tests(sluice_failover_tests
  DISCOVERY_MODE PRE_TEST
  PROPERTIES LABELS cluster TIMEOUT 600 RESOURCE_LOCK sluice_cluster)
