# Log compaction and per-topic log configs end to end (label `cluster`): one real ZooKeeper and
# one sluiced, librdkafka producing many versions of a few keys to a cleanup.policy=compact topic
# and reading back only the latest per key. Included from tests/cluster/CMakeLists.txt.
include_guard(GLOBAL)
if(NOT TARGET sluice_test_support)
  return()
endif()
add_executable(sluice_compaction_tests ${CMAKE_CURRENT_LIST_DIR}/compaction_test.cc)
target_compile_definitions(sluice_compaction_tests PRIVATE SLUICED_PATH="${SLUICE_SLUICED_PATH}")
target_link_libraries(sluice_compaction_tests PRIVATE sluice::test_support sluice::coordinator
                      GTest::gtest_main sluice::warnings)
if(TARGET sluiced)
  add_dependencies(sluice_compaction_tests sluiced)
endif()
gtest_discover_tests(sluice_compaction_tests
  DISCOVERY_MODE PRE_TEST
  PROPERTIES LABELS cluster TIMEOUT 300 RESOURCE_LOCK sluice_cluster)
