# Replication cluster tests (issue 3, label `cluster`): 3 ZooKeeper + 3 sluiced, real librdkafka.
# Included from tests/cluster/CMakeLists.txt; include_guard keeps it single.
include_guard(GLOBAL)
if(NOT TARGET sluice_test_support)
  return()
endif()
find_package(nlohmann_json 3 REQUIRED)
add_executable(sluice_replication_tests ${CMAKE_CURRENT_LIST_DIR}/replication_test.cc)
target_compile_definitions(sluice_replication_tests PRIVATE
  SLUICED_PATH="$<$<TARGET_EXISTS:sluiced>:$<TARGET_FILE:sluiced>>")
target_link_libraries(sluice_replication_tests PRIVATE sluice::test_support sluice::coordinator
                      GTest::gtest_main nlohmann_json::nlohmann_json sluice::warnings)
if(TARGET sluiced)
  add_dependencies(sluice_replication_tests sluiced)
endif()
gtest_discover_tests(sluice_replication_tests
  DISCOVERY_MODE PRE_TEST
  PROPERTIES LABELS cluster TIMEOUT 600 RESOURCE_LOCK sluice_cluster)

# Safety under failures (issue 3): min.insync.replicas with brokers down, no unclean election,
# the zombie leader (SIGSTOP past the session timeout) fenced and truncated.
add_executable(sluice_safety_tests
  ${CMAKE_CURRENT_LIST_DIR}/safety_min_isr_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/safety_zombie_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/raw_kafka.cc)
target_compile_definitions(sluice_safety_tests PRIVATE
  SLUICED_PATH="$<$<TARGET_EXISTS:sluiced>:$<TARGET_FILE:sluiced>>")
target_link_libraries(sluice_safety_tests PRIVATE sluice::test_support sluice::coordinator
                      GTest::gtest_main sluice::warnings)
if(TARGET sluiced)
  add_dependencies(sluice_safety_tests sluiced)
endif()
gtest_discover_tests(sluice_safety_tests
  DISCOVERY_MODE PRE_TEST
  PROPERTIES LABELS cluster TIMEOUT 600 RESOURCE_LOCK sluice_cluster)
