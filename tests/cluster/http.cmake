# HTTP cluster tests (issue 6, label `cluster`): 3 ZooKeeper + 3 sluiced with http.listener;
# /metrics through promtool and a real Prometheus, the REST API, /api/health after kill -9, and
# the dashboard in headless Chromium (screenshots saved in this directory of the build tree).
# Needs the Debian packages prometheus (promtool, prometheus) and chromium at test time.
# Included from tests/cluster/CMakeLists.txt; include_guard keeps it single.
include_guard(GLOBAL)
if(NOT TARGET sluice_test_support)
  return()
endif()
find_package(nlohmann_json 3 REQUIRED)
add_executable(sluice_http_tests
  ${CMAKE_CURRENT_LIST_DIR}/http_cluster_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_cdp.cc)
target_compile_definitions(sluice_http_tests PRIVATE
  SLUICED_PATH="$<$<TARGET_EXISTS:sluiced>:$<TARGET_FILE:sluiced>>"
  SLUICE_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
  HTTP_TEST_ARTIFACT_DIR="${CMAKE_CURRENT_BINARY_DIR}")
target_link_libraries(sluice_http_tests PRIVATE sluice::test_support sluice::coordinator
                      GTest::gtest_main nlohmann_json::nlohmann_json sluice::warnings)
if(TARGET sluiced)
  add_dependencies(sluice_http_tests sluiced)
endif()
gtest_discover_tests(sluice_http_tests
  DISCOVERY_MODE PRE_TEST
  PROPERTIES LABELS cluster TIMEOUT 600 RESOURCE_LOCK sluice_cluster)
