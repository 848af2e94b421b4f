# Static checks of compose/ (no Docker engine runs here): Debian's docker-compose parses
# docker-compose.yml, and compose_check.sh checks the wiring (ZooKeeper ids and ZOO_SERVERS, each
# broker's zookeeper.connect / listeners / advertised.listeners / http.listener / log.dirs against
# the service names, ports and named volumes, a healthcheck on every service, Prometheus targets,
# run-stage Debian packages). The self-test breaks copies of compose/ one rule at a time and expects
# each to be rejected. Included from tests/cluster/CMakeLists.txt.
# Needs Debian's docker-compose (and its python3-yaml).
include_guard(GLOBAL)
set(SLUICE_COMPOSE_CHECK ${CMAKE_CURRENT_LIST_DIR}/compose_check.sh)
set(SLUICE_COMPOSE_DIR ${CMAKE_SOURCE_DIR}/compose)
add_test(NAME compose.config COMMAND ${SLUICE_COMPOSE_CHECK} config ${SLUICE_COMPOSE_DIR})
add_test(NAME compose.consistency COMMAND ${SLUICE_COMPOSE_CHECK} consistency ${SLUICE_COMPOSE_DIR})
add_test(NAME compose.self_test COMMAND ${SLUICE_COMPOSE_CHECK} self-test ${SLUICE_COMPOSE_DIR})
set_tests_properties(compose.config compose.consistency PROPERTIES LABELS "unit;compose" TIMEOUT 300)
# docker-compose and apt-cache start slowly on a loaded 2-core machine: 11 checks.
set_tests_properties(compose.self_test PROPERTIES LABELS compose TIMEOUT 1200)
