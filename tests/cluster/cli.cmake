# Cluster tests of the `sluice` CLI (label `cluster`): the real sluice binary drives real
# ZooKeeper (Debian zookeeper) and sluiced processes through `sluice cluster up`; every PID the
# CLI records is stopped in teardown. Included from tests/cluster/CMakeLists.txt (and from
# tests/unit/client/CMakeLists.txt until that include exists); include_guard keeps it single.
include_guard(GLOBAL)
if(NOT TARGET sluice_test_support OR NOT TARGET sluice)
  return()
endif()
find_package(nlohmann_json 3 REQUIRED)
add_executable(sluice_cli_cluster_tests
  ${CMAKE_CURRENT_LIST_DIR}/cli_cluster_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/cli_topic_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/cli_admin_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/raw_kafka.cc
)
target_compile_definitions(sluice_cli_cluster_tests PRIVATE
  SLUICE_PATH="$<TARGET_FILE:sluice>"
  SLUICED_PATH="$<$<TARGET_EXISTS:sluiced>:$<TARGET_FILE:sluiced>>")
# sluice::coordinator: the tests read /config/topics and /brokers/topics with SyncZk.
# sluice::protocol: cli_admin_test sends the APIs librdkafka 2.0 lacks (IncrementalAlterConfigs).
target_link_libraries(sluice_cli_cluster_tests PRIVATE sluice::test_support sluice::coordinator
                      sluice::protocol
                      GTest::gtest_main
                      nlohmann_json::nlohmann_json sluice::warnings)
add_dependencies(sluice_cli_cluster_tests sluice)
if(TARGET sluiced)
  add_dependencies(sluice_cli_cluster_tests sluiced)
endif()
gtest_discover_tests(sluice_cli_cluster_tests
  DISCOVERY_MODE PRE_TEST
  PROPERTIES LABELS cluster TIMEOUT 300 RESOURCE_LOCK sluice_cluster)
