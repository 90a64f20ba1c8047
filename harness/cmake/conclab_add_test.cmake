# conclab_add_test(NAME name COMMAND program [args...] EXPECT outcome[,outcome...]
#                  [TIMEOUT seconds] [LABELS label...])
# A ctest test that runs `program` through `conclab run --expect`: it passes when conclab's outcome
# is one of the expected ones (`clean` for "must end clean: no race, no leak, no orphan, no
# deadlock"; `data_race`, `deadlock`, ... for "this repro must still be caught"). conclab's own time
# limit is TIMEOUT (default 60 s); the test's is 30 s more, so conclab always gets to say why. The JSON
# report goes to <build dir of the calling CMakeLists>/conclab-reports/<name>.json, the SARIF one
# beside it (<name>.sarif, code-scanning category conclab/<build tree's folder name>/<name>/).
function(conclab_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;EXPECT;TIMEOUT" "COMMAND;LABELS")
  if(NOT arg_NAME OR NOT arg_COMMAND OR NOT arg_EXPECT)
    message(FATAL_ERROR "conclab_add_test: NAME, COMMAND and EXPECT are required")
  endif()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "conclab_add_test(${arg_NAME}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 60)
  endif()
  list(POP_FRONT arg_COMMAND program)
  if(TARGET ${program})
    set(program $<TARGET_FILE:${program}>)
  endif()
  set(reports ${CMAKE_CURRENT_BINARY_DIR}/conclab-reports)
  file(MAKE_DIRECTORY ${reports})
  # One SARIF category per test and build tree (build/tsan, build/asan...): code scanning keeps
  # every test's analysis beside the others' instead of replacing one by the next.
  get_filename_component(tree ${CMAKE_BINARY_DIR} NAME)
  add_test(NAME ${arg_NAME}
           COMMAND $<TARGET_FILE:conclab::conclab> run --timeout ${arg_TIMEOUT} --expect ${arg_EXPECT}
                   --json ${reports}/${arg_NAME}.json --sarif ${reports}/${arg_NAME}.sarif
                   --sarif-category conclab/${tree}/${arg_NAME}/ -- ${program} ${arg_COMMAND})
  math(EXPR ctest_timeout "${arg_TIMEOUT} + 30")
  set_tests_properties(${arg_NAME} PROPERTIES TIMEOUT ${ctest_timeout} LABELS "conclab;${arg_LABELS}")
endfunction()
