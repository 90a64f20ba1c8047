# The whole catalog at -j 4, twice in a row: both tours pass and reach the same outcomes
# (issue: parallel runs must not interfere). Run by ctest as harness.parallel_tour_is_stable.
foreach(round 1 2)
  execute_process(COMMAND ${CONCLAB} tour -j 4 OUTPUT_VARIABLE out${round} RESULT_VARIABLE status${round})
  if(NOT status${round} EQUAL 0)
    message(FATAL_ERROR "tour -j 4, round ${round}, exited ${status${round}}:\n${out${round}}")
  endif()
  # The closing table only: "<case> <variant> <expected> <got> <time>"; times differ, outcomes must not.
  string(REGEX MATCHALL "\n[a-z_]+/[a-z_]+ +(buggy|fixed) +[a-z_]+ +[a-z_]+" rows${round} "${out${round}}")
  list(SORT rows${round})
endforeach()
if(NOT rows1 STREQUAL rows2)
  message(FATAL_ERROR "two tours at -j 4 disagree:\n${rows1}\n---\n${rows2}")
endif()
list(LENGTH rows1 count)
message(STATUS "two tours at -j 4 agree on ${count} runs")
