# What the live suites' CMakeLists.txt (test/integration, test/web) share: the Python interpreter and
# knotd they look for, and nsprobe_live_test(), which registers one of their Python scripts as a test.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  set(Python3_EXECUTABLE python3)
endif()
find_program(KNOTD knotd PATHS /usr/sbin /sbin)

# nsprobe_live_test(<name> <script> TIMEOUT <seconds> [ARGS <arg>...] [PROPERTIES <prop> <value>...])
# runs <script>, beside the calling CMakeLists.txt, with python3 and ARGS as the ctest test <name>.
function(nsprobe_live_test name script)
  cmake_parse_arguments(PARSE_ARGV 2 LIVE "" "TIMEOUT" "ARGS;PROPERTIES")
  add_test(NAME ${name} COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/${script} ${LIVE_ARGS})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${LIVE_TIMEOUT} ${LIVE_PROPERTIES})
endfunction()
