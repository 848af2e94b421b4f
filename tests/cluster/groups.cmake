# Consumer-group cluster tests (issue 4, label `cluster`): 3 ZooKeeper + 3 sluiced, real
# librdkafka consumers and kcat members. Included from tests/cluster/CMakeLists.txt.
include_guard(GLOBAL)
if(NOT TARGET sluice_test_support)
  return()
endif()
add_executable(sluice_groups_tests
  ${CMAKE_CURRENT_LIST_DIR}/groups_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/raw_kafka.cc)
target_compile_definitions(sluice_groups_tests PRIVATE
  SLUICED_PATH="$<$<TARGET_EXISTS:sluiced>:$<TARGET_FILE:sluiced>>"
  KAFKAJS_DIR="${CMAKE_CURRENT_LIST_DIR}/kafkajs")
target_link_libraries(sluice_groups_tests PRIVATE sluice::test_support sluice::coordinator
                      GTest::gtest_main sluice::warnings)
if(TARGET sluiced)
  add_dependencies(sluice_groups_tests sluiced)
endif()
gtest_discover_tests(sluice_groups_tests
  DISCOVERY_MODE PRE_TEST
  PROPERTIES LABELS cluster TIMEOUT 600 RESOURCE_LOCK sluice_cluster)
