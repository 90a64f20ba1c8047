# Read by ctest each time it starts (the TEST_INCLUDE_FILES of harness/tests): the tests of the
# tree's optional tools, from the registry itself (`conclab tools --json`, tools/registry.cpp).
# Every case whose manifest declares tool T is a test T.<category>.<bug> that runs
# `conclab matrix --tool T` on it, both variants against the declarations, with the row's labels
# and time limit; a tool that cannot run here (its row says why) makes each of them a skip.
# Only the cases of CONCLAB_TOOL_SAMPLE (ci/tool_test_sample.txt) run on every push: every other
# case's tool tests are labelled `campaign` too, which the test presets leave out and
# ci/campaign.sh runs.
# Set by tool_tests_include.cmake: CONCLAB (the binary), CONCLAB_TREE (this tree's tool),
# CONCLAB_TOOL_SAMPLE (the sample's file).

if(NOT EXISTS "${CONCLAB}")
  add_test(tools.registry_unread sh -c "echo \"$1 is not built: the tools' tests are not known\"; exit 1" sh "${CONCLAB}")
  return()
endif()
execute_process(COMMAND "${CONCLAB}" tools --json OUTPUT_VARIABLE registry ERROR_VARIABLE error RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  add_test(tools.registry_unread sh -c "echo \"conclab tools --json failed: $1\"; exit 1" sh "${error}")
  return()
endif()

file(STRINGS "${CONCLAB_TOOL_SAMPLE}" sample REGEX "^[^#]")
set(all_cases "")

string(JSON tool_count LENGTH "${registry}")
math(EXPR last_tool "${tool_count} - 1")
foreach(t RANGE ${last_tool})
  string(JSON tool GET "${registry}" ${t} name)
  string(JSON tree GET "${registry}" ${t} tree)
  string(JSON required GET "${registry}" ${t} required)
  if(required)
    continue()  # a tree's own tool: its tests are the cases' own
  endif()
  string(JSON case_count LENGTH "${registry}" ${t} cases)
  if(case_count EQUAL 0)
    continue()
  endif()
  math(EXPR last_case "${case_count} - 1")
  foreach(c RANGE ${last_case})
    string(JSON id GET "${registry}" ${t} cases ${c})
    list(APPEND all_cases ${id})  # every tree's, so that each tree checks the sample the same way
  endforeach()
  if(NOT tree STREQUAL CONCLAB_TREE)
    continue()  # another tree's tool
  endif()
  string(JSON labels GET "${registry}" ${t} test labels)
  string(JSON timeout GET "${registry}" ${t} test timeout_s)
  string(JSON missing_type TYPE "${registry}" ${t} unavailable)
  set(missing "")
  if(missing_type STREQUAL "STRING")
    string(JSON missing GET "${registry}" ${t} unavailable)
  endif()
  foreach(c RANGE ${last_case})
    string(JSON id GET "${registry}" ${t} cases ${c})
    string(REPLACE "/" "." name "${tool}.${id}")
    set(case_labels "${labels}")
    list(FIND sample "${id}" in_sample)  # not if(IN_LIST): ctest reads this file with old policies
    if(in_sample EQUAL -1)
      list(APPEND case_labels campaign)
    endif()
    if(missing)
      add_test(${name} sh -c "echo \"$1 skipped: $2\"; exit 77" sh "${tool}" "${missing}")
      set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)
    else()
      add_test(${name} "${CONCLAB}" matrix --tool ${tool} -m "^${id}$")
    endif()
    set_tests_properties(${name} PROPERTIES LABELS "${case_labels}" TIMEOUT ${timeout})
  endforeach()
endforeach()

# A sample line that names no case would quietly shrink what CI runs.
foreach(id ${sample})
  list(FIND all_cases "${id}" known)
  if(known EQUAL -1)
    add_test(tools.sample_names_a_case sh -c "echo \"$1 names '$2', which no tool test has\"; exit 1" sh
             "${CONCLAB_TOOL_SAMPLE}" "${id}")
  endif()
endforeach()
