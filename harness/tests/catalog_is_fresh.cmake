# Fails when docs/catalog.md differs from what `conclab list --markdown` prints now.
execute_process(COMMAND ${CONCLAB} list --markdown OUTPUT_FILE ${OUT} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "conclab list --markdown failed (${status})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT} ${CATALOG} RESULT_VARIABLE differs)
if(differs)
  message(FATAL_ERROR "docs/catalog.md is stale: regenerate it with `build/release/harness/conclab list --markdown > docs/catalog.md`")
endif()
